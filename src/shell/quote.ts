// Quoting for the shells goarm writes code for. Everything a project file or the user supplies reaches shell code
// only through these, so no value can inject code.

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** Single-quotes a value for POSIX sh. Single quotes take everything literally (newlines, $, `) but a quote. */
export function q(value: string): string {
  if (value.includes('\0')) throw new Error('a value with a NUL byte cannot reach the environment');
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Single-quotes a value for fish, where `\` and `'` are the only specials inside single quotes. */
export function fishQuote(value: string): string {
  if (value.includes('\0')) throw new Error('a value with a NUL byte cannot reach the environment');
  return `'${value.replace(/[\\']/g, '\\$&')}'`;
}

export const quoteFor = (shell: Shell) => (shell === 'fish' ? fishQuote : q);
