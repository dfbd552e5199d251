/**
 * Sets the `words` field (the search keys of the `*words` indexes) of every row that a table
 * adds or puts, through Dexie's DBCore middleware. A put carries the whole row, so the keys come
 * from the row alone. Dexie's table hooks, used before, read the stored row before every put
 * to find out whether it was a creation or an update, which cost a read per message on each
 * status change.
 */

import type { DBCore, DBCoreMutateRequest, Middleware } from 'dexie';

/** Function from a row to the search keys of its text. */
export type WordsOf = (row: never) => string[];

/** Returns the middleware that fills `words` in the rows of the tables named in `wordsOf`. */
export function searchWordsMiddleware(wordsOf: Readonly<Record<string, WordsOf>>): Middleware<DBCore> {
  return {
    stack: 'dbcore',
    name: 'SearchWords',
    // Above Dexie's own layers, so live queries on a `*words` index see the keys of new rows.
    level: 10,
    create: (down) => ({
      ...down,
      table: (name) => {
        const table = down.table(name);
        const wordsOfRow = wordsOf[name] as ((row: unknown) => string[]) | undefined;
        if (!wordsOfRow) return table;

        return {
          ...table,
          mutate: (request: DBCoreMutateRequest) => {
            if (request.type !== 'add' && request.type !== 'put') return table.mutate(request);

            const values = request.values.map((row: Record<string, unknown>) => ({ ...row, words: wordsOfRow(row) }));
            return table.mutate({ ...request, values });
          },
        };
      },
    }),
  };
}
