/**
 * What a Zeebe gateway's gRPC error says, for callers that act on it (the outbox dispatcher): the status
 * arrives as a number from grpc-js and as a name from some SDK paths, and only in the message from others.
 */
export const errText = (e: unknown) => {
  const x = e as { code?: unknown; details?: unknown; message?: unknown };
  return `${x?.code !== undefined ? `[${String(x.code)}] ` : ''}${String(x?.details ?? x?.message ?? e)}`;
};

/** gRPC ALREADY_EXISTS (6) on a publish: a message with this id is still buffered = already sent */
export const isAlreadyExists = (e: unknown) => {
  const x = e as { code?: unknown; message?: unknown };
  return x?.code === 6 || x?.code === 'ALREADY_EXISTS' || /ALREADY_EXISTS/.test(String(x?.message ?? ''));
};

/** gRPC NOT_FOUND (5) on a cancel: the instance is no longer active (ended, or cancelled before) */
export const isNotFound = (e: unknown) => {
  const x = e as { code?: unknown; message?: unknown };
  return x?.code === 5 || x?.code === 'NOT_FOUND' || /NOT_FOUND/.test(String(x?.message ?? ''));
};
