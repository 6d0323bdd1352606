/** Helpers for the Rekor e2e tests: the sandbox log's URL and key, entries appended to it, forged checkpoints. */
import { createHash, createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

function sandboxDir(): string {
  return path.join(process.env.SIGSCOPE_DATA_DIR!, 'sandbox');
}

/** The sandbox log's base URL, as its trusted root names it. */
export function rekorUrl(): string {
  const root = JSON.parse(readFileSync(path.join(sandboxDir(), 'trusted_root.json'), 'utf8')) as { tlogs: Array<{ baseUrl: string }> };
  return root.tlogs[0]!.baseUrl.replace(/\/+$/, '');
}

/** Appends a hashedrekord (public key, no certificate) over `text`; returns its log index. */
export async function appendEntry(text: string): Promise<number> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const data = Buffer.from(text);
  const res = await fetch(`${rekorUrl()}/api/v1/log/entries`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      kind: 'hashedrekord',
      apiVersion: '0.0.1',
      spec: {
        data: { hash: { algorithm: 'sha256', value: createHash('sha256').update(data).digest('hex') } },
        signature: { content: sign('sha256', data, privateKey).toString('base64'), publicKey: { content: Buffer.from(publicKey.export({ format: 'pem', type: 'spki' }).toString()).toString('base64') } },
      },
    }),
  });
  if (res.status !== 201) throw new Error(`append: ${res.status} ${await res.text()}`);
  return Object.values((await res.json()) as Record<string, { logIndex: number }>)[0]!.logIndex;
}

/**
 * The log's current checkpoint, and a forged one for the same size with another
 * root, signed with the sandbox log's real key (read from the instance's state):
 * what a log that rewrites its history would sign.
 */
export async function forgeCheckpoint(): Promise<{ origin: string; treeSize: number; rootHash: string; text: string }> {
  const info = (await (await fetch(`${rekorUrl()}/api/v1/log`)).json()) as { treeSize: number; signedTreeHead: string };
  const [origin] = info.signedTreeHead.split('\n');
  const sigLine = info.signedTreeHead.trimEnd().split('\n').pop()!;
  const [, name, blob] = /^\u2014 (\S+) (\S+)$/u.exec(sigLine)!;
  const keyId = Buffer.from(blob!, 'base64').subarray(0, 4);
  const state = JSON.parse(readFileSync(path.join(sandboxDir(), 'instance', 'sigstore-instance.json'), 'utf8')) as { tlogKey: string };
  const rootHash = createHash('sha256').update('a rewritten history').digest();
  const note = `${origin}\n${info.treeSize}\n${rootHash.toString('base64')}\n`;
  const signature = sign('sha256', Buffer.from(note), createPrivateKey(state.tlogKey));
  return { origin: origin!, treeSize: info.treeSize, rootHash: rootHash.toString('hex'), text: `${note}\n\u2014 ${name} ${Buffer.concat([keyId, signature]).toString('base64')}\n` };
}
