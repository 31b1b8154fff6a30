// node-postgres against a PostgreSQL-compatible server: the extended
// protocol with $1 parameters, rowMode 'array', named prepared statements and
// type parsing by OID.
//
// Usage: NODE_PATH=<dir with node_modules> node pg_compat.js HOST PORT DB USER TABLE MATVIEW
// Each step sets application_name to "node-<step>" first, so a server log can
// be split per step. Exits non-zero on the first failed check.
'use strict';
const assert = require('assert');
const { Client } = require('pg');

async function main() {
  const [host = '127.0.0.1', port = '5432', database = 'streamsql', user = 'postgres',
    table = 'orders', matview = 'order_totals'] = process.argv.slice(2);
  const client = new Client({ host, port: Number(port), database, user, application_name: 'node-connect' });
  await client.connect();
  const step = async (name) => {
    await client.query(`SET application_name = 'node-${name}'`);
    console.log('==', name);
  };

  await step('params');
  let r = await client.query('SELECT $1::int + 1 AS n, $2::text AS s, $3::text AS z', [41, "it's", null]);
  assert.deepStrictEqual(r.rows[0], { n: 42, s: "it's", z: null });

  await step('rowmode-array');
  r = await client.query({ text: 'SELECT $1::bigint AS a, $2::bool AS b', values: ['7', true], rowMode: 'array' });
  assert.deepStrictEqual(r.rows[0], ['7', true]);
  console.log(r.fields.map((f) => `${f.name}:${f.dataTypeID}`).join(' '));

  await step('query-table');
  r = await client.query({ text: `SELECT * FROM ${table} WHERE id > $1`, values: [0], rowMode: 'array' });
  console.log(r.fields.map((f) => `${f.name}:${f.dataTypeID}`).join(' '));

  await step('query-matview');
  r = await client.query(`SELECT * FROM ${matview}`);
  console.log(r.fields.map((f) => `${f.name}:${f.dataTypeID}`).join(' '));

  await step('named-prepared');
  for (let i = 0; i < 3; i++) {
    r = await client.query({ name: 'count_gt', text: `SELECT count(*) FROM ${table} WHERE id > $1`, values: [i] });
    assert.strictEqual(r.rows.length, 1);
  }

  await step('transaction');
  await client.query('BEGIN');
  r = await client.query('SELECT 1 AS one');
  assert.strictEqual(r.rows[0].one, 1);
  await client.query('COMMIT');

  await client.end();
  console.log('OK');
}

main().catch((err) => {
  console.error('FAIL:', err);
  process.exit(1);
});
