/**
 * Redraws one block of lines in place on a terminal (stderr when it is a TTY), the way k6 and
 * Artillery show a run: the cursor goes back up over the block, the block is cleared and written
 * again, in one write so the terminal never shows half a block. Any other text for stderr (a
 * warning, a runner's or a CUT's log line) goes through print(): the block is cleared, the text
 * written, the block drawn again below it, so nothing scrolls over the block or breaks its lines.
 */
import type { Writable } from 'node:stream';

const UP = (n: number) => `\r\x1b[${n}A`; // to the start of the line n lines up (CUU: every terminal has it)
const CLEAR_DOWN = '\x1b[J';

export class LiveTerminal {
  private block: string[] = [];
  /** lines of the block now on screen */
  private drawn = 0;
  private closed = false;

  constructor(private readonly out: Writable & { columns?: number }) {}

  get width(): number {
    return Math.max(20, (this.out.columns ?? 80) - 1);
  }

  private erase(): string {
    return this.drawn > 0 ? UP(this.drawn) + CLEAR_DOWN : '';
  }

  private text(): string {
    return this.block.length > 0 ? this.block.join('\n') + '\n' : '';
  }

  /** Shows `lines` in place of the block on screen. */
  update(lines: string[]): void {
    if (this.closed) return;
    this.block = lines;
    this.out.write(this.erase() + this.text());
    this.drawn = lines.length;
  }

  /** Writes text above the block (the block is drawn again below it). */
  print(text: string): void {
    if (this.closed || this.drawn === 0) {
      this.out.write(text);
      return;
    }
    this.out.write(this.erase() + (text.endsWith('\n') ? text : text + '\n') + this.text());
  }

  /** Leaves the last block on screen; what is written next goes below it. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
  }
}
