/**
 * A TCP connection as the core's transport sees it: the subset of an Espruino `net` socket.
 * Data is a binary string (char codes 0..255) both ways, as Espruino's sockets use. Handlers
 * (and `connect`'s onConnect) are called with the socket as `this`, as Espruino's net and Node's
 * EventEmitter call them: the link's handlers are shared functions that rely on it.
 */
export interface SocketLike {
  write(data: string): void;
  end(): void;
  on(event: "data", handler: (data: string) => void): void;
  on(event: "close" | "end", handler: () => void): void;
  on(event: "error", handler: (err: unknown) => void): void;
}

/** `require("net")` as the terminal uses it. `onConnect` fires once the socket is open. */
export interface NetLike {
  connect(options: { host: string; port: number }, onConnect: () => void): SocketLike;
}
