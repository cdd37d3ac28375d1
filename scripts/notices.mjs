#!/usr/bin/env node
/**
 * Third-party notices for what the browser receives: the npm packages in the web bundle (their own
 * licence files), what those packages bundle themselves, and the Rust crates compiled into IronRDP's
 * WebAssembly.
 *
 * Used two ways:
 * - by the Vite build (packages/web/build/notices.ts), which knows exactly which modules are in the
 *   bundle and writes dist/web/third-party-notices.txt (served at /third-party-notices.txt);
 * - from the command line: `node scripts/notices.mjs [--out THIRD-PARTY-NOTICES] [--check]`. Without a
 *   bundle it takes the npm packages imported by packages/web/src and their production dependencies
 *   (a superset of what tree-shaking keeps). `--check` fails when a Rust crate's licence is unknown.
 *
 * The @devolutions packages ship no licence list for the crates in their WASM, so the crate names and
 * versions are read from the WASM itself (the source paths rustc keeps for panic messages); see
 * scripts/notices/rust-crates.json for the licences and the limits of that method.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = join(ROOT, 'scripts', 'notices');
const LICENSE_FILE = /^(licen[cs]e|copying|notice)([.-]|$)/i;
const RULE = '-'.repeat(78);

/** The package folder of a module path inside node_modules (scoped names too), or undefined. */
export function packageDirOf(modulePath) {
  const path = modulePath.replace(/^\0/, '').replace(/\?.*$/, '').replace(/\\/g, '/');
  const at = path.lastIndexOf('/node_modules/');
  if (at < 0) return undefined;
  const parts = path.slice(at + '/node_modules/'.length).split('/');
  const name = parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  return name ? `${path.slice(0, at)}/node_modules/${name}` : undefined;
}

function readPackage(dir) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const files = readdirSync(dir).filter((f) => LICENSE_FILE.test(f)).sort();
  const texts = files.map((f) => readFileSync(join(dir, f), 'utf8').trim());
  const license = typeof pkg.license === 'string' ? pkg.license : (pkg.license?.type ?? (pkg.licenses ?? []).map((l) => l.type).join(' OR ')) || 'UNKNOWN';
  const repo = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
  return { dir, name: pkg.name, version: pkg.version, license, repository: repo ?? pkg.homepage ?? '', files, text: texts.join(`\n\n`) };
}

/** Rust crates named in the WASM: `name@version` from registry paths, IronRDP's own crates by folder. */
export function cratesInWasm(wasm) {
  const text = Buffer.from(wasm).toString('latin1');
  const found = new Map();
  for (const m of text.matchAll(/registry\/src\/[^/\0]+\/([A-Za-z0-9_-]+)-(\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?)\//g)) found.set(`${m[1]}@${m[2]}`, { name: m[1], version: m[2] });
  const workspace = new Set([...text.matchAll(/crates\/(iron(?:rdp)?-[a-z0-9-]+)\//g)].map((m) => m[1]));
  return { registry: [...found.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version)), workspace: [...workspace].sort() };
}

/** The licence we distribute under: Apache-2.0 or MIT when offered (one shared text), else the first. */
export function electedLicense(expression) {
  const options = expression.split(/\s+OR\s+|\//).map((s) => s.trim()).filter(Boolean);
  return ['Apache-2.0', 'MIT'].find((l) => options.includes(l)) ?? options[0] ?? 'UNKNOWN';
}

function rustSection(wasm, rdpPackage) {
  const { registry, workspace } = cratesInWasm(wasm);
  const table = JSON.parse(readFileSync(join(DATA, 'rust-crates.json'), 'utf8')).licenses;
  const rows = registry.map((c) => ({ ...c, license: table[c.name] ?? 'UNKNOWN' }));
  const unknown = rows.filter((r) => r.license === 'UNKNOWN').map((r) => r.name);
  const elected = new Set(['Apache-2.0', 'MIT', ...rows.map((r) => electedLicense(r.license)).filter((l) => l !== 'UNKNOWN')]);
  const lines = [
    `PART 3. RUST CRATES COMPILED INTO THE WEBASSEMBLY (assets/ironrdp-*.wasm, from ${rdpPackage})`,
    RULE,
    'How this list was made: the npm package ships no licence list for its WASM. The crates below are the',
    'ones whose source paths (kept by rustc for panic messages) appear in the WASM, with exact versions.',
    'Crates that leave no such path (macros, code that cannot panic, e.g. wasm-bindgen-futures, web-sys,',
    'tracing, serde derive output) may be compiled in as well and are not listed; their licences are of',
    'the same permissive kinds (IronRDP\'s dependency policy). Licences: scripts/notices/rust-crates.json.',
    '',
    `IronRDP (https://github.com/Devolutions/IronRDP), Copyright Devolutions Inc. — MIT OR Apache-2.0, distributed`,
    `under Apache-2.0. Crates: ${workspace.join(', ')}.`,
    '',
    ...rows.map((r) => `${`${r.name} ${r.version}`.padEnd(40)} ${r.license.padEnd(28)} used under ${electedLicense(r.license)}`),
    '',
    ...[...elected].sort().flatMap((l) => [RULE, `${l} (text)`, RULE, licenseText(l), '']),
  ];
  return { text: lines.join('\n'), unknown };
}

const declaredNote = (license) => {
  const elected = electedLicense(license);
  return elected === 'UNKNOWN' ? '' : ` Distributed under ${elected}; its text is in Part 3.`;
};

function licenseText(spdx) {
  const file = join(DATA, `${spdx}.txt`);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : `(no text on file for ${spdx})`;
}

/** Packages that carry third-party code of their own, found by a marker in their files. */
const EMBEDDED = [
  {
    package: '@devolutions/iron-remote-desktop',
    marker: 'window.__svelte',
    notice:
      'Svelte 5 runtime (https://svelte.dev), compiled into the web component. MIT License, Copyright (c) 2016-2025 Svelte\ncontributors. Licence text: as for MIT in Part 3, with that copyright line.',
  },
];

function embeddedSection(packages) {
  const found = EMBEDDED.filter((e) => {
    const pkg = packages.find((p) => p.name === e.package);
    return pkg && readdirSync(pkg.dir).some((f) => f.endsWith('.js') && readFileSync(join(pkg.dir, f), 'utf8').includes(e.marker));
  });
  return ['PART 2. CODE BUNDLED INSIDE THOSE NPM PACKAGES', RULE, ...(found.length ? found.map((e) => `In ${e.package}: ${e.notice}\n`) : ['(none found)'])].join('\n');
}

/** The whole notices file for these package folders and (optionally) IronRDP's WASM bytes. */
export function renderNotices({ packageDirs, wasm, source }) {
  const packages = [...new Set(packageDirs)].map(readPackage).sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
  // Identical licence texts (e.g. the Fluent UI packages) are printed once, under all their packages.
  const byText = new Map();
  for (const p of packages) {
    const key = p.text || `declared:${p.license}`;
    byText.set(key, [...(byText.get(key) ?? []), p]);
  }
  const npm = [...byText.values()].flatMap((group) => [
    RULE,
    ...group.map((p) => `${p.name} ${p.version} — ${p.license}${p.repository ? ` — ${p.repository.replace(/^git\+/, '')}` : ''}`),
    RULE,
    group[0].text || `No licence file in ${group.length > 1 ? 'these packages' : 'the package'}; licence as declared in package.json: ${group[0].license}.${declaredNote(group[0].license)}`,
    '',
  ]);
  const rdp = packages.find((p) => p.name === '@devolutions/iron-remote-desktop-rdp');
  const rust = wasm ? rustSection(wasm, rdp ? `${rdp.name} ${rdp.version}` : 'IronRDP') : { text: 'PART 3. (no WebAssembly in this bundle)', unknown: [] };
  const text = [
    'THIRD-PARTY SOFTWARE NOTICES — Bastion web client (what your browser downloads)',
    `Generated by scripts/notices.mjs (${source}).`,
    '',
    `PART 1. NPM PACKAGES IN THE BROWSER BUNDLE (${packages.length})`,
    ...npm,
    embeddedSection(packages),
    '',
    rust.text,
  ].join('\n');
  return { text: `${text.trimEnd()}\n`, unknownCrates: rust.unknown };
}

/** IronRDP's WASM, out of the data: URL its npm package inlines it as. */
export function wasmFromRdpPackage(root = ROOT) {
  const file = join(root, 'node_modules/@devolutions/iron-remote-desktop-rdp/iron-remote-desktop-rdp.js');
  if (!existsSync(file)) return undefined;
  const m = /"data:application\/wasm;base64,([A-Za-z0-9+/=]+)"/.exec(readFileSync(file, 'utf8'));
  return m ? Buffer.from(m[1], 'base64') : undefined;
}

/** CLI: packages imported by packages/web/src and their production dependencies, resolved like Node. */
function webDependencyDirs() {
  const imported = new Set();
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name))
        for (const m of readFileSync(path, 'utf8').matchAll(/(?:from\s+|import\()\s*['"]((?:@[\w.-]+\/)?[\w.-]+)/g)) if (!m[1].startsWith('.')) imported.add(m[1]);
    }
  };
  walk(join(ROOT, 'packages/web/src'));
  const dirs = new Set();
  const visit = (name, fromDir) => {
    for (let dir = fromDir; ; dir = dirname(dir)) {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) {
        if (dirs.has(candidate)) return;
        dirs.add(candidate);
        const pkg = JSON.parse(readFileSync(join(candidate, 'package.json'), 'utf8'));
        for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep, candidate);
        return;
      }
      if (dir === dirname(dir)) return;
    }
  };
  for (const name of imported) visit(name, ROOT);
  return [...dirs];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const out = args.includes('--out') ? args[args.indexOf('--out') + 1] : join(ROOT, 'THIRD-PARTY-NOTICES');
  const { text, unknownCrates } = renderNotices({ packageDirs: webDependencyDirs(), wasm: wasmFromRdpPackage(), source: 'npm packages imported by packages/web/src and their dependencies' });
  writeFileSync(out, text);
  console.log(`notices: wrote ${out} (${text.length} characters)`);
  if (unknownCrates.length) {
    console.error(`notices: no licence recorded for Rust crate(s): ${unknownCrates.join(', ')} (add them to scripts/notices/rust-crates.json)`);
    if (args.includes('--check')) process.exit(1);
  }
}
