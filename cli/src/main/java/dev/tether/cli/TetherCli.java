package dev.tether.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code tether} command. Exit codes: 0 success, 1 invariant violations found (simulate), 2
 * usage error, 3 permanently disconnected, 4 request or registry failure, 5 written but
 * unconfirmed.
 */
@Command(
    name = "tether",
    mixinStandardHelpOptions = true,
    version = "tether 0.1.0",
    description = "Keeps long-lived connections alive and honest.",
    subcommands = {
      DemoCommand.class,
      WatchCommand.class,
      CallCommand.class,
      ServeCommand.class,
      SimulateCommand.class,
      PeerCommand.class,
      CommandLine.HelpCommand.class
    })
public final class TetherCli {

  /** Exit status for usage errors. */
  public static final int EXIT_USAGE = 2;

  private TetherCli() {}

  /** Entry point. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit status (for tests and embedding). */
  public static int run(String... args) {
    var utf8 = java.nio.charset.StandardCharsets.UTF_8;
    return run(
        new java.io.PrintWriter(new java.io.OutputStreamWriter(System.out, utf8), true),
        new java.io.PrintWriter(new java.io.OutputStreamWriter(System.err, utf8), true),
        args);
  }

  /** Runs the command line with the given output streams and returns its exit status. */
  public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new TetherCli());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExitCodeExceptionMapper(e -> EXIT_USAGE);
    cli.setParameterExceptionHandler(
        (ex, a) -> {
          ex.getCommandLine().getErr().println("tether: " + ex.getMessage());
          ex.getCommandLine().usage(ex.getCommandLine().getErr());
          return EXIT_USAGE;
        });
    if (args.length == 0) {
      cli.usage(cli.getErr());
      return EXIT_USAGE;
    }
    return cli.execute(args);
  }
}
