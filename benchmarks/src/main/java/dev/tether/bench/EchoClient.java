package dev.tether.bench;

import java.util.concurrent.CompletableFuture;

/** One side of B8: an MCP client calling server-everything's {@code echo} tool. */
interface EchoClient extends AutoCloseable {
  /** The tool's name in server-everything. */
  String TOOL = "echo";

  /** The message every call of B8 sends; the server answers {@code "Echo: " + MESSAGE}. */
  String MESSAGE = "hello, tether";

  /** Calls the echo tool; the stage completes with the text of the tool's result. */
  CompletableFuture<String> echo(String message);

  /** Stops the client and its child (waits until the child is gone). */
  @Override
  void close();
}
