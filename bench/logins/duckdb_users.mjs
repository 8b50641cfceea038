// DuckDB peer for bench/logins/run.sh: the same per-user-per-version aggregation
// as `tlsready logins --tables users`: logins per (user, TlsProtocol), over the CSV.
// usage: node duckdb_users.mjs FILE.csv [threads]
import { DuckDBInstance } from '@duckdb/node-api';

const file = process.argv[2];
const threads = process.argv[3] || '2';
const db = await DuckDBInstance.create(':memory:', { threads });
const con = await db.connect();
const sql = `
  SELECT "User.Username" AS username, TlsProtocol AS version, count(*) AS logins
  FROM read_csv('${file.replace(/'/g, "''")}', header = true, delim = ',', quote = '"', escape = '"',
                all_varchar = true, parallel = true)
  GROUP BY ALL`;
const reader = await con.runAndReadAll(sql);
const rows = reader.getRows();
let total = 0n, legacy = 0n;
const users = new Set(), legacyUsers = new Set();
for (const [u, v, n] of rows) {
  total += BigInt(n);
  users.add(u);
  if (v === 'TLS 1.0' || v === 'TLS 1.1') { legacy += BigInt(n); legacyUsers.add(u); }
}
console.log(JSON.stringify({ groups: rows.length, logins: total.toString(), legacy: legacy.toString(),
                             users: users.size, legacy_users: legacyUsers.size }));
