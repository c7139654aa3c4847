// Work to do once a command is done, before Node would exit by itself: e.g. closing the HTTP dispatcher, whose idle
// keep-alive sockets would otherwise hold the process open after the output is printed.
const tasks = new Set<() => Promise<void> | void>();

export const atCommandEnd = (fn: () => Promise<void> | void) => void tasks.add(fn);

export async function commandEnded(): Promise<void> {
  const all = [...tasks];
  tasks.clear();
  await Promise.allSettled(all.map(async (fn) => fn()));
}
