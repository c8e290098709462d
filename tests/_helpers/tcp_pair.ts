/**
 * A real TCP connection on 127.0.0.1 for tests of the IOPub delivery wait
 * (`lib/jupyter/kernel_flush.ts`, `lib/jupyter/kernel.ts`), and whether `ss`
 * (Debian iproute2), which that wait reads, is installed.
 *
 * @module
 */

/** Whether the `ss` command runs here. */
export const HAS_SS: boolean = (() => {
  try {
    return new Deno.Command("ss", { args: ["-V"], stdout: "null", stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
})();

/** Both ends of one accepted TCP connection and the listening port. */
export interface TcpPair {
  /** The server's port (what a kernel's IOPub port is). */
  port: number;
  /** The connecting end (what a Jupyter client is). */
  client: Deno.TcpConn;
  /** The accepted end (what the kernel writes to). */
  server: Deno.Conn;
  /** Closes both ends and the listener. */
  close(): void;
}

/** Opens a listener on a free port, connects to it and accepts the connection. */
export async function tcpPair(): Promise<TcpPair> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const client = await Deno.connect({ hostname: "127.0.0.1", port });
  const server = await listener.accept();
  return {
    port,
    client,
    server,
    close() {
      client.close();
      server.close();
      listener.close();
    },
  };
}
