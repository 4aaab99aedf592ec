package dev.tether.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code tether} command. Exit codes: 0 success, 1 invariant violations found (simulate), 2
 * usage error, 3 permanently disconnected, 4 request or registry failure, 5 written but
 * unconfirmed, 70 internal error (a bug in Tether: the message asks for {@code --verbose}).
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

  /** The option that brings library log lines back, for debugging. */
  static final String VERBOSE = "--verbose";

  @Option(
      names = VERBOSE,
      scope = CommandLine.ScopeType.INHERIT,
      description =
          "Also print library log lines (Tether's own at debug level, Vert.x's and Netty's) on"
              + " stderr, and the stack trace of an internal error.")
  boolean verbose;

  /** Entry point. */
  public static void main(String[] args) {
    CliLogging.configure(java.util.Arrays.asList(args).contains(VERBOSE));
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
    boolean verbose = java.util.Arrays.asList(args).contains(VERBOSE);
    CommandLine cli = new CommandLine(new TetherCli());
    cli.setOut(out);
    cli.setErr(err);
    UsageErrors.install(cli, verbose);
    if (args.length == 0) {
      cli.usage(cli.getErr());
      return EXIT_USAGE;
    }
    return cli.execute(args);
  }
}
