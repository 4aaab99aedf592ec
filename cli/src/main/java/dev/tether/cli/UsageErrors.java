package dev.tether.cli;

import java.io.FileNotFoundException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import picocli.CommandLine;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * How the command line reports a mistake: one line, {@code tether COMMAND: } and what is wrong with
 * which option or value, then one line pointing at the command's {@code --help}; exit status 2.
 * Never a Java stack trace and never the whole usage block, which would push the error off the
 * screen. A failure that is not the user's (a bug) says so in one line and exits 70; {@code
 * --verbose} adds the stack trace.
 */
final class UsageErrors {
  /** Exit status of an internal error (sysexits' EX_SOFTWARE). */
  static final int EXIT_INTERNAL = 70;

  private UsageErrors() {}

  /** Installs the handlers, and converters whose messages speak the user's language. */
  static void install(CommandLine cli, boolean verbose) {
    cli.registerConverter(Integer.class, UsageErrors::wholeNumber);
    cli.registerConverter(Integer.TYPE, UsageErrors::wholeNumber);
    cli.registerConverter(Long.class, UsageErrors::wholeLong);
    cli.registerConverter(Long.TYPE, UsageErrors::wholeLong);
    cli.setParameterExceptionHandler(
        (ex, args) -> {
          CommandLine where = ex.getCommandLine();
          PrintWriter err = where.getErr();
          err.println(prefix(where) + ex.getMessage());
          if (ex instanceof UnmatchedArgumentException unmatched) {
            UnmatchedArgumentException.printSuggestions(unmatched, err);
          }
          err.println(helpPointer(where));
          err.flush();
          return TetherCli.EXIT_USAGE;
        });
    cli.setExitCodeExceptionMapper(e -> TetherCli.EXIT_USAGE);
    cli.setExecutionExceptionHandler(
        (ex, where, parsed) -> {
          PrintWriter err = where.getErr();
          String usage = usageMessage(ex);
          if (usage != null) {
            return report(where, usage);
          }
          err.println(
              prefix(where)
                  + "internal error: "
                  + ex
                  + (verbose ? "" : " (run again with " + TetherCli.VERBOSE + " for details)"));
          if (verbose) {
            ex.printStackTrace(err);
          }
          err.flush();
          return EXIT_INTERNAL;
        });
  }

  /**
   * The one-line message of a failure that is the user's mistake: a bad value a command checked
   * ({@link IllegalArgumentException}), or a file that is missing, unreadable or not where it was
   * said to be; {@code null} for anything else.
   */
  static String usageMessage(Throwable ex) {
    Throwable t = ex instanceof UncheckedIOException u ? u.getCause() : ex;
    if (t instanceof IllegalArgumentException) {
      return t.getMessage();
    }
    if (t instanceof NoSuchFileException) {
      return "no such file: " + fileOf(t);
    }
    if (t instanceof FileNotFoundException) {
      return t.getMessage();
    }
    if (t instanceof AccessDeniedException) {
      return "permission denied: " + fileOf(t);
    }
    if (t instanceof NotDirectoryException) {
      return "not a directory: " + fileOf(t);
    }
    return null;
  }

  /**
   * Prints a usage error of {@code where} as every command does, for a command that checks a value
   * itself: {@code tether COMMAND: MESSAGE} and the pointer to its {@code --help}.
   *
   * @return the usage error's exit status, 2
   */
  static int report(CommandLine where, String message) {
    PrintWriter err = where.getErr();
    err.println(prefix(where) + message);
    err.println(helpPointer(where));
    err.flush();
    return TetherCli.EXIT_USAGE;
  }

  /**
   * {@code tether peer send: }: the one prefix of every error a command prints, usage error or
   * failure, naming the command as typed ({@code tether: } for the top level).
   */
  static String prefix(CommandLine where) {
    return where.getCommandSpec().qualifiedName() + ": ";
  }

  private static String fileOf(Throwable t) {
    return t instanceof FileSystemException f && f.getFile() != null ? f.getFile() : t.getMessage();
  }

  private static String helpPointer(CommandLine where) {
    return "Try '" + where.getCommandSpec().qualifiedName() + " --help'.";
  }

  private static Integer wholeNumber(String value) {
    try {
      return Integer.valueOf(value.strip());
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + value + "' is not a whole number");
    }
  }

  private static Long wholeLong(String value) {
    try {
      return Long.valueOf(value.strip());
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + value + "' is not a whole number");
    }
  }
}
