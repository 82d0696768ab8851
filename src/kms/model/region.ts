/**
 * The region of an embedded server (the region in its ARNs), and of the clients that talk to it
 * for a run: the one given, else AWS_REGION (as the SDK would pick), else us-east-1.
 */
export const FALLBACK_REGION = 'us-east-1';

export function embeddedRegion(given: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (given !== undefined && given.trim() !== '') return given.trim();
  const fromEnv = env.AWS_REGION?.trim();
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : FALLBACK_REGION;
}
