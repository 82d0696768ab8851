// npm run bench (or node bench/pkcs11.js): PKCS#11 through pylogen vs a bare pkcs11js loop, same token.
//
// One SoftHSM2 token of the bench's own (a private token store, softhsm2-util --init-token), its keys
// made by `pylogen pkcs11 setup` (profiles/Pkcs11Default.json: persistent token objects). Then, for
// each operation and for 1 and 2 processes, REPEAT times, interleaved:
//   pylogen cuts.Pkcs11Encrypt --lengths 1024               (AES-256-GCM, 1 KiB)
//   pylogen cuts.Pkcs11Sign --extra '{"key":"ecc256"}'      (ECDSA P-256 on a SHA-256 digest)
//   pylogen cuts.Pkcs11Sign --extra '{"key":"rsa2048"}'     (RSA-2048 PKCS#1 v1.5 on DigestInfo)
//     --proc P --duration D --outformat none, module and token in --extra, the PIN in PKCS11_PIN;
//     measured in its steady state (bench/steady.js: from its first status line to its last).
//   a bare loop: P processes started together, each: pkcs11js, C_Initialize, the token by label,
//     a logged-in session, the key by label, then the same calls (C_EncryptInit with a counter IV +
//     C_Encrypt; C_SignInit + C_Sign of a digest computed once) in a synchronous loop for D seconds;
//     measured from 1 s after its start to its end; the rates summed.
// Medians of ops/s and of ops per CPU-second (whole process tree), the ratios pylogen / bare (target >= 0.9) and the scaling from 1 to 2 processes (target ~2
// on 2 free cores: the token is shared, each process has its own sessions).
//
// Environment: BENCH_P11_SECONDS (D, default 5), BENCH_P11_REPEAT (default 3).
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bareWindow, runNode, steadyRun } from './steady.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const SECONDS = Number(process.env.BENCH_P11_SECONDS ?? 5);
const REPEAT = Number(process.env.BENCH_P11_REPEAT ?? 3);
const MODULE = process.env.PYLOGEN_SOFTHSM_MODULE ?? '/usr/lib/softhsm/libsofthsm2.so';
const TOKEN = 'pylogen-bench';
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

const OPS = [
  { name: 'AES-256-GCM 1 KiB', cut: 'cuts.Pkcs11Encrypt', key: 'aes256', label: 'pylogen-aes256', length: 1024 },
  { name: 'ECDSA P-256', cut: 'cuts.Pkcs11Sign', key: 'ecc256', label: 'pylogen-ecc256', length: 16 },
  { name: 'RSA-2048 PKCS#1', cut: 'cuts.Pkcs11Sign', key: 'rsa2048', label: 'pylogen-rsa2048', length: 16 },
];

/** The bare loop (a child process): one operation, synchronous calls, D seconds; prints its rate. */
function bareChild(label, opName, seconds) {
  const ck = createRequire(import.meta.url)('pkcs11js');
  const p11 = new ck.PKCS11();
  p11.load(MODULE);
  // Processes starting together on one SoftHSM token: C_Initialize may fail (SoftHSM #757); retry.
  let slot;
  for (let i = 0; ; i++) {
    try {
      p11.C_Initialize();
      slot = p11.C_GetSlotList(true).find((s) => p11.C_GetTokenInfo(s).label.trim() === TOKEN);
      if (slot !== undefined) break;
      p11.C_Finalize();
      if (i > 8) throw new Error(`no token labelled ${TOKEN}`);
    } catch (err) {
      if (i > 8) throw err;
      slot = undefined;
      try {
        p11.C_Finalize();
      } catch {
        /* not initialised */
      }
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20 + Math.random() * 50);
  }
  const login = p11.C_OpenSession(slot, ck.CKF_SERIAL_SESSION);
  p11.C_Login(login, ck.CKU_USER, process.env.PKCS11_PIN);
  const s = p11.C_OpenSession(slot, ck.CKF_SERIAL_SESSION);
  const op = OPS.find((o) => o.name === opName);
  const cls = op.key === 'aes256' ? ck.CKO_SECRET_KEY : ck.CKO_PRIVATE_KEY;
  p11.C_FindObjectsInit(s, [
    { type: ck.CKA_CLASS, value: cls },
    { type: ck.CKA_LABEL, value: label },
  ]);
  const [key] = p11.C_FindObjects(s, 1);
  p11.C_FindObjectsFinal(s);
  let step;
  if (op.key === 'aes256') {
    const data = randomBytes(op.length);
    const iv = Buffer.alloc(12);
    let n = 0;
    step = () => {
      const v = Buffer.from(iv);
      v.writeUInt32BE(++n >>> 0, 8);
      p11.C_EncryptInit(s, { mechanism: ck.CKM_AES_GCM, parameter: { type: ck.CK_PARAMS_AES_GCM, iv: v, ivBits: 96, tagBits: 128 } }, key);
      p11.C_Encrypt(s, data, Buffer.allocUnsafe(op.length + 16));
    };
  } else if (op.key === 'ecc256') {
    const digest = createHash('sha256').update(randomBytes(op.length)).digest();
    step = () => {
      p11.C_SignInit(s, { mechanism: ck.CKM_ECDSA }, key);
      p11.C_Sign(s, digest, Buffer.allocUnsafe(64));
    };
  } else {
    const prefix = Buffer.from('3031300d060960864801650304020105000420', 'hex'); // RFC 8017 9.2: SHA-256 DigestInfo
    const info = Buffer.concat([prefix, createHash('sha256').update(randomBytes(op.length)).digest()]);
    step = () => {
      p11.C_SignInit(s, { mechanism: ck.CKM_RSA_PKCS }, key);
      p11.C_Sign(s, info, Buffer.allocUnsafe(256));
    };
  }
  let count = 0;
  const w = bareWindow();
  const t0 = performance.now();
  const mark = t0 + 1000;
  let marked = false;
  const end = t0 + seconds * 1000;
  for (let now = t0; now < end; now = performance.now()) {
    if (!marked && now >= mark) {
      w.mark(count);
      marked = true;
    }
    for (let i = 0; i < 16; i++) step();
    count += 16;
  }
  w.done(count);
  p11.C_CloseSession(s);
  p11.C_Logout(login);
  p11.C_CloseSession(login);
  p11.C_Finalize();
  process.stdout.write(JSON.stringify(w.result()));
}

async function bareRun(op, procs, env) {
  const outs = (await Promise.all(Array.from({ length: procs }, () => runNode([SELF, 'bare', op.label, op.name, String(SECONDS)], env)))).map((o) =>
    JSON.parse(o),
  );
  const sum = (k) => outs.reduce((a, o) => a + o[k], 0);
  return { rate: sum('rate'), perCpuSecond: sum('requests') / sum('cpu') };
}

async function pylogenRun(op, procs, env, dir) {
  const r = await steadyRun(
    [
      op.cut,
      '--proc',
      String(procs),
      '--duration',
      String(SECONDS),
      '--lengths',
      String(op.length),
      '--extra',
      JSON.stringify({ key: op.key, module: MODULE, token: TOKEN }),
      '--outformat',
      'none',
    ],
    env,
    join(dir, 'summary.json'),
  );
  const s = r.summary;
  if (s.requests.errors !== 0 || s.events.lost !== 0)
    throw new Error(`pylogen ${op.cut} ${op.key}: ${s.requests.errors} errors ${JSON.stringify(s.errorsByType)}`);
  return r;
}

export default async function pkcs11Bench() {
  const dir = mkdtempSync(join(tmpdir(), 'pylogen-bench-p11-'));
  try {
    const store = join(dir, 'tokens');
    mkdirSync(store);
    const conf = join(dir, 'softhsm2.conf');
    writeFileSync(conf, `directories.tokendir = ${store}\nobjectstore.backend = file\nlog.level = ERROR\n`);
    const pin = randomBytes(8).toString('hex');
    const env = { ...process.env, SOFTHSM2_CONF: conf, PKCS11_PIN: pin };
    execFileSync('softhsm2-util', ['--init-token', '--free', '--label', TOKEN, '--so-pin', `so${pin}`, '--pin', pin], { env, stdio: 'ignore' });
    execFileSync(process.execPath, [join(root, 'bin/pylogen.js'), 'pkcs11', 'setup', '--module', MODULE, '--token', TOKEN], { env, stdio: 'ignore' });
    const rows = [];
    for (const op of OPS) {
      for (const procs of [1, 2]) {
        const runs = { pylogen: [], bare: [] };
        for (let i = 0; i < REPEAT; i++) {
          runs.bare.push(await bareRun(op, procs, env));
          runs.pylogen.push(await pylogenRun(op, procs, env, dir));
        }
        const m = (k, f) => median(runs[k].map((r) => r[f]));
        const row = { operation: op.name, procs };
        for (const f of ['rate', 'perCpuSecond']) {
          row[f] = { pylogen: Math.round(m('pylogen', f)), bare: Math.round(m('bare', f)), ratio: Math.round((m('pylogen', f) / m('bare', f)) * 100) / 100 };
        }
        row.runs = { pylogen: runs.pylogen.map((r) => Math.round(r.perCpuSecond)), bare: runs.bare.map((r) => Math.round(r.perCpuSecond)) };
        rows.push(row);
      }
    }
    for (const r of rows.filter((x) => x.procs === 2)) {
      const one = rows.find((x) => x.procs === 1 && x.operation === r.operation);
      r.scaling = { pylogen: Math.round((r.rate.pylogen / one.rate.pylogen) * 100) / 100, bare: Math.round((r.rate.bare / one.rate.bare) * 100) / 100 };
    }
    console.log(
      `\nPKCS#11 on one SoftHSM2 token (token objects), pylogen vs a bare synchronous pkcs11js loop, ${SECONDS} s, steady state (from 1 s to the end), median of ${REPEAT}, interleaved`,
    );
    console.log('operation           procs   ops/s pylogen   bare   ratio   ops per CPU-s pylogen   bare   ratio   2 vs 1 proc ops/s (pylogen, bare)');
    for (const r of rows) {
      const sc = r.scaling ? `${r.scaling.pylogen.toFixed(2)}, ${r.scaling.bare.toFixed(2)}` : '';
      console.log(
        `${r.operation.padEnd(18)}${String(r.procs).padStart(6)}${String(r.rate.pylogen).padStart(16)}${String(r.rate.bare).padStart(7)}${r.rate.ratio.toFixed(2).padStart(8)}${String(r.perCpuSecond.pylogen).padStart(24)}${String(r.perCpuSecond.bare).padStart(7)}${r.perCpuSecond.ratio.toFixed(2).padStart(8)}   ${sc}`,
      );
    }
    const worst = Math.min(...rows.map((r) => r.perCpuSecond.ratio));
    console.log(
      `target pylogen >= 0.9 x bare (ops per CPU-second, the figure a loaded machine does not bias): lowest ratio ${worst.toFixed(2)}: ${worst >= 0.9 ? 'met' : 'NOT met'}`,
    );
    return { seconds: SECONDS, repeat: REPEAT, rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'bare') bareChild(process.argv[3], process.argv[4], Number(process.argv[5]));
else if (process.argv[1] === SELF) console.log('\n' + JSON.stringify(await pkcs11Bench()));
