import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CoalescingStdout } from '../../src/logging/coalescing-stdout.js';

const dir = mkdtempSync(join(tmpdir(), 'switchyard-log-'));
let fd: number | undefined;
const openLog = (name: string) => {
  const path = join(dir, name);
  fd = openSync(path, 'w');
  return { path, log: new CoalescingStdout(fd) };
};
const until = async (check: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 5));
};
afterEach(() => {
  if (fd !== undefined) closeSync(fd);
  fd = undefined;
});

describe('CoalescingStdout', () => {
  it('writes a lone line within the wait, not at once', async () => {
    const { path, log } = openLog('lone.log');
    log.write('{"msg":"listening"}\n');
    expect(readFileSync(path, 'utf8')).toBe('');
    await until(() => readFileSync(path, 'utf8') !== '', 500);
    expect(readFileSync(path, 'utf8')).toBe('{"msg":"listening"}\n');
  });

  it('keeps every line of a burst, in order, across several batches', async () => {
    const { path, log } = openLog('burst.log');
    const lines = Array.from({ length: 1000 }, (_, i) => `{"n":${i}}\n`);
    for (const line of lines) log.write(line);
    await until(() => readFileSync(path, 'utf8').length === lines.join('').length);
    expect(readFileSync(path, 'utf8')).toBe(lines.join(''));
  });

  it('writes what is waiting when flushed synchronously (at exit)', () => {
    const { path, log } = openLog('exit.log');
    log.write('a\n');
    log.write('b\n');
    log.flushSync();
    expect(readFileSync(path, 'utf8')).toBe('a\nb\n');
  });
});
