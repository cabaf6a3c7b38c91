// duck.js -- the DuckDB peer for scripts/bench (not a user-facing tool).
//
// Runs with node and the npm package @duckdb/node-api, which scripts/bench
// installs into bench/node_modules and names in WS_BENCH_NODE_MODULES.
//
//   node duck.js ingest DB FILE DIM     load NDJSON points with read_ndjson
//                                       into a table keyed like SQLite's
//   node duck.js ingest-plain DB FILE   CREATE TABLE AS SELECT * FROM
//                                       read_ndjson: what a user would run
//   node duck.js get DB E T             one key, printed as a JSON line
//   node duck.js gets DB KEYFILE        "E T" lines, one prepared lookup each
//   node duck.js range DB E FROM TO     one entity's points in [FROM, TO]
//   node duck.js all DB                 every point in key order, as NDJSON
//
// The table is keyed like the SQLite peer's, (entity_id, space_id,
// timestamp), with INSERT OR REPLACE for "latest write wins"; the vector is
// a FLOAT[DIM] array (4 bytes a value, like warmstore's f32).  Output goes
// to stdout as one JSON object per point.
'use strict';
const path = require('path');
const fs = require('fs');
const { DuckDBInstance } = require(path.join(
    process.env.WS_BENCH_NODE_MODULES || 'node_modules', '@duckdb/node-api'));

const COLS = 'entity_id, space_id, timestamp, vector, metadata';
const WHERE_KEY = 'entity_id = $1 AND space_id = 0 AND timestamp = $2';

function writeRows(rows) {
    let out = '';
    for (const r of rows)
        out += JSON.stringify(r) + '\n';
    if (out)
        fs.writeSync(1, out);
}

async function open(db, readonly) {
    const inst = await DuckDBInstance.create(db,
        readonly ? { access_mode: 'READ_ONLY' } : {});
    return inst.connect();
}

async function main(argv) {
    const [cmd, db, ...args] = argv;
    if (cmd === 'ingest-plain') {
        // The plain load (no key, no latest-write-wins), 2 threads like
        // ws-ingest's parse and encode threads on this 2-core machine.
        const [file] = args;
        const con = await open(db, false);
        await con.run('SET threads = 2');
        const f = file.replace(/'/g, "''");
        await con.run("CREATE TABLE points AS SELECT * FROM read_ndjson('" + f + "')");
        await con.run('CHECKPOINT');
        const r = await con.runAndReadAll('SELECT count(*) FROM points');
        console.log(String(r.getRows()[0][0]));
    } else if (cmd === 'ingest') {
        const [file, dim] = args;
        const con = await open(db, false);
        await con.run('CREATE TABLE IF NOT EXISTS points (' +
            'entity_id UBIGINT NOT NULL, space_id UINTEGER NOT NULL, ' +
            'timestamp BIGINT NOT NULL, vector FLOAT[' + Number(dim) + '] NOT NULL, ' +
            'metadata JSON, PRIMARY KEY (entity_id, space_id, timestamp))');
        const f = file.replace(/'/g, "''");
        await con.run('INSERT OR REPLACE INTO points SELECT ' + COLS +
            " FROM read_ndjson('" + f + "', columns = {entity_id: 'UBIGINT', " +
            "space_id: 'UINTEGER', timestamp: 'BIGINT', vector: 'FLOAT[]', " +
            "metadata: 'JSON'})");
        await con.run('CHECKPOINT');
        const r = await con.runAndReadAll('SELECT count(*) FROM points');
        console.log(String(r.getRows()[0][0]));
    } else if (cmd === 'get') {
        const con = await open(db, true);
        const p = await con.prepare('SELECT ' + COLS + ' FROM points WHERE ' + WHERE_KEY);
        p.bindUBigInt(1, BigInt(args[0]));
        p.bindBigInt(2, BigInt(args[1]));
        writeRows((await p.runAndReadAll()).getRowObjectsJson());
    } else if (cmd === 'gets') {
        const con = await open(db, true);
        const p = await con.prepare('SELECT ' + COLS + ' FROM points WHERE ' + WHERE_KEY);
        const lines = fs.readFileSync(args[0], 'utf8').split('\n');
        let out = '';
        for (const line of lines) {
            if (!line)
                continue;
            const [e, t] = line.split(' ');
            p.bindUBigInt(1, BigInt(e));
            p.bindBigInt(2, BigInt(t));
            for (const r of (await p.runAndReadAll()).getRowObjectsJson())
                out += JSON.stringify(r) + '\n';
            if (out.length > 1 << 16) {
                fs.writeSync(1, out);
                out = '';
            }
        }
        if (out)
            fs.writeSync(1, out);
    } else if (cmd === 'range') {
        const con = await open(db, true);
        const p = await con.prepare('SELECT ' + COLS + ' FROM points WHERE ' +
            'entity_id = $1 AND space_id = 0 AND timestamp BETWEEN $2 AND $3 ' +
            'ORDER BY timestamp');
        p.bindUBigInt(1, BigInt(args[0]));
        p.bindBigInt(2, BigInt(args[1]));
        p.bindBigInt(3, BigInt(args[2]));
        writeRows((await p.runAndReadAll()).getRowObjectsJson());
    } else if (cmd === 'all') {
        const con = await open(db, true);
        await con.run('COPY (SELECT ' + COLS + ' FROM points ' +
            "ORDER BY entity_id, space_id, timestamp) TO '/dev/stdout' (FORMAT json)");
    } else {
        throw new Error('unknown command ' + cmd);
    }
}

main(process.argv.slice(2)).catch((e) => {
    process.stderr.write('duck.js: ' + (e && e.message ? e.message : e) + '\n');
    process.exit(2);
});
