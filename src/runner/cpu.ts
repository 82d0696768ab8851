/** The share of wall time a process spent on its CPU (user + system), per sample and in all. */
export function cpuMeter(): { sample(): number; total(): number } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let lastT = t0;
  let lastC = c0;
  const share = (c: NodeJS.CpuUsage, from: NodeJS.CpuUsage, ms: number) => (ms <= 0 ? 0 : (c.user - from.user + c.system - from.system) / 1000 / ms);
  return {
    sample() {
      const t = performance.now();
      const c = process.cpuUsage();
      const s = share(c, lastC, t - lastT);
      lastT = t;
      lastC = c;
      return s;
    },
    total() {
      return share(process.cpuUsage(), c0, performance.now() - t0);
    },
  };
}
