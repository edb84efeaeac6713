// The HSDS API's answers and the HSDS JSON export validate against the
// official HSDS 3.0 JSON schemas (third_party/hsds-3.0/schema/, unchanged
// copies) with ajv: a real `lotse serve` on a fresh SQLite demo database.
//
//   LOTSE_BINARY=build/lotse node --test tests/hsds/
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const schemaDir = path.join(repoRoot, 'third_party', 'hsds-3.0', 'schema');

// The schemas use keywords of their own (core, constraints, datapackage_*,
// tabular_required, example): not validation keywords, so not strict.
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const load = (file) => JSON.parse(fs.readFileSync(path.join(schemaDir, file), 'utf8'));
// The table schemas refer to each other by file name ("$ref": "phone.json"):
// register each under its name, so that those references resolve.
for (const file of fs.readdirSync(schemaDir)) {
  if (file.endsWith('.json') && file !== 'openapi.json') ajv.addSchema(load(file), file);
}
const validators = new Map();
function validator(file) {
  if (!validators.has(file)) validators.set(file, ajv.getSchema(file) ?? ajv.compile(load(file)));
  return validators.get(file);
}
const openapi = load('openapi.json');
const pageSchema = ajv.compile(openapi.components.schemas.Page);
const metaSchema = ajv.compile(
  openapi.paths['/'].get.responses['200'].content['application/json'].schema);

function check(file, document, label) {
  const validate = validator(file);
  const valid = validate(document);
  assert.ok(valid, `${label} does not validate against ${file}:\n` +
    JSON.stringify(validate.errors?.slice(0, 5), null, 1));
}

let server;
let base;
let dir;
let database;

function lotseBinary() {
  const bin = process.env.LOTSE_BINARY || 'build/lotse';
  return path.isAbsolute(bin) ? bin : path.join(repoRoot, bin);
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lotse-hsds-'));
  database = `sqlite:${path.join(dir, 't.db')}`;
  const opts = { cwd: repoRoot, timeout: 120000 };
  await run(lotseBinary(), ['migrate', '--database', database], opts);
  await run(lotseBinary(), ['demo', '--database', database], opts);
  const portFile = path.join(dir, 'port');
  server = spawn(lotseBinary(),
    ['serve', '--database', database, '--host', '127.0.0.1', '--port', '0', '--port-file', portFile,
      '--no-access-log'],
    { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`lotse serve exited with ${server.exitCode}`);
    try {
      const text = fs.readFileSync(portFile, 'utf8').trim();
      if (/^\d+$/.test(text) && Number(text) > 0) {
        base = `http://127.0.0.1:${text}/api/hsds`;
        return;
      }
    } catch { /* not yet */ }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('lotse serve did not start');
});

after(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

async function get(pathAndQuery, status = 200) {
  const res = await fetch(base + pathAndQuery);
  const text = await res.text();
  assert.equal(res.status, status, `${pathAndQuery}: ${text.slice(0, 500)}`);
  return { res, body: res.headers.get('content-type')?.includes('ndjson') ? text : JSON.parse(text) };
}

// A page: the Page schema, consistent numbers, every item against `file`.
async function page(pathAndQuery, file) {
  const { body } = await get(pathAndQuery);
  assert.ok(pageSchema(body), `${pathAndQuery}: ${JSON.stringify(pageSchema.errors)}`);
  assert.ok(Array.isArray(body.contents));
  assert.equal(body.size, body.contents.length);
  assert.equal(body.empty, body.contents.length === 0);
  for (const [i, item] of body.contents.entries()) check(file, item, `${pathAndQuery} contents[${i}]`);
  return body;
}

test('the validator rejects what the schemas forbid', () => {
  const validate = validator('compiled/service.json');
  assert.equal(validate({ id: 'ac148810-d857-441c-9679-408f346de14b', name: 'x' }), false);  // no status
  assert.equal(validate({ id: 'no-uuid', name: 'x', status: 'active' }), false);
  assert.equal(validate({ id: 'ac148810-d857-441c-9679-408f346de14b', name: 'x', status: 'open' }), false);
  assert.equal(validate({ id: 'ac148810-d857-441c-9679-408f346de14b', name: 'x', status: 'active',
    minimum_age: '12' }), false);
  assert.equal(validate({ id: 'ac148810-d857-441c-9679-408f346de14b', name: 'x', status: 'active',
    url: 'not a uri' }), false);
  assert.equal(validate({ id: 'ac148810-d857-441c-9679-408f346de14b', name: 'x', status: 'active' }), true);
});

test('meta document', async () => {
  const { body } = await get('/');
  assert.ok(metaSchema(body), JSON.stringify(metaSchema.errors));
  assert.equal(body.version, '3.0');
  const { body: doc } = await get('/openapi.json');
  assert.equal(doc.openapi, '3.1.0');
  assert.ok(doc.paths['/service_at_locations']);
  const { body: profile } = await get('/profile');
  assert.equal(profile.taxonomies.length, 8);
});

test('services: list, full list and every service fully nested', async () => {
  const list = await page('/services?per_page=1000', 'compiled/service_list.json');
  assert.ok(list.total_items >= 14 * 17, `only ${list.total_items} services`);
  assert.equal(list.contents.length, list.total_items);
  const full = await page('/services?full=true&per_page=1000', 'compiled/service.json');
  assert.equal(full.contents.length, list.total_items);
  for (const id of list.contents.slice(0, 20).map((s) => s.id)) {
    const { body } = await get(`/services/${id}`);
    check('compiled/service.json', body, `/services/${id}`);
    assert.ok(body.attributes.length > 0, 'the JBA profile travels as attributes');
  }
  const minimal = await page('/services?minimal=true&per_page=3', 'compiled/service_list.json');
  assert.deepEqual(Object.keys(minimal.contents[0]).sort(), ['id', 'last_modified', 'name', 'status']);
  const second = await page('/services?page=2&per_page=10', 'compiled/service_list.json');
  assert.equal(second.page_number, 2);
  assert.equal(second.first_page, false);
  assert.equal(second.total_pages, Math.ceil(list.total_items / 10));
});

test('organizations', async () => {
  const list = await page('/organizations?per_page=1000', 'compiled/organization_list.json');
  assert.ok(list.total_items >= 14 * 9);
  await page('/organizations?full=true&per_page=20', 'compiled/organization.json');
  const { body } = await get(`/organizations/${list.contents[0].id}?full_service=true`);
  check('compiled/organization.json', body, 'organization with full services');
});

test('service_at_locations by postcode and proximity', async () => {
  const near = await page('/service_at_locations?postcode=39104&proximity=3000&per_page=1000',
    'compiled/service_at_location_list.json');
  assert.ok(near.total_items > 0);
  for (const item of near.contents) assert.equal(item.location.location_type, 'physical');
  const covered = await page('/service_at_locations?postcode=39104&per_page=1000',
    'compiled/service_at_location_list.json');
  assert.ok(covered.total_items > near.total_items);
  await page('/service_at_locations?full=true&per_page=50', 'compiled/service_at_location.json');
  const { body } = await get(`/service_at_locations/${near.contents[0].id}`);
  check('compiled/service_at_location.json', body, 'service_at_location');
});

test('taxonomies and terms', async () => {
  const taxonomies = await page('/taxonomies', 'taxonomy.json');
  assert.equal(taxonomies.total_items, 8);
  const terms = await page('/taxonomy_terms?per_page=1000', 'taxonomy_term.json');
  assert.ok(terms.total_items >= 48 + 14);
  const { body: t } = await get(`/taxonomies/${taxonomies.contents[0].id}`);
  check('taxonomy.json', t, 'taxonomy');
  const { body: term } = await get(`/taxonomy_terms/${terms.contents[0].id}`);
  check('taxonomy_term.json', term, 'taxonomy term');
  await page(`/taxonomy_terms?taxonomy_id=${taxonomies.contents[0].id}&top_only=true`, 'taxonomy_term.json');
});

test('ndjson: every result, one document per line', async () => {
  const { res, body } = await get('/services?format=ndjson');
  assert.match(res.headers.get('content-type'), /application\/x-ndjson/);
  const lines = body.trim().split('\n');
  const { body: list } = await get('/services?per_page=1');
  assert.equal(lines.length, list.total_items);
  for (const line of lines) check('compiled/service_list.json', JSON.parse(line), 'ndjson line');
});

test('bad parameters: 400 problem+json naming the parameter', async () => {
  for (const [query, field] of [
    ['/services?per_page=0', 'per_page'],
    ['/services?page=x', 'page'],
    ['/services?per-page=5', 'per-page'],
    ['/services?full=yes', 'full'],
    ['/services?format=xml', 'format'],
    ['/services?taxonomy_id=abc', 'taxonomy_id'],
    ['/services?modified_after=yesterday', 'modified_after'],
    ['/service_at_locations?proximity=1000', 'proximity'],
    ['/service_at_locations?postcode=39104&proximity=far', 'proximity'],
    ['/service_at_locations?postcode=3910', 'postcode'],
    ['/service_at_locations?postcode=10115&proximity=5000', 'postcode'],
  ]) {
    const res = await fetch(base + query);
    assert.equal(res.status, 400, query);
    assert.match(res.headers.get('content-type'), /application\/problem\+json/, query);
    const problem = await res.json();
    assert.equal(problem.field, field, query);
  }
  const missing = await fetch(`${base}/services/00000000-0000-4000-8000-000000000000`);
  assert.equal(missing.status, 404);
  assert.match(missing.headers.get('content-type'), /application\/problem\+json/);
});

test('the JSON export validates against compiled/tabular.json', async () => {
  const file = path.join(dir, 'katalog.json');
  await run(lotseBinary(), ['export', 'hsds', file, '--database', database], { cwd: repoRoot });
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  check('compiled/tabular.json', doc, 'export');
  assert.ok(doc.service.length >= 14 * 17);
});
