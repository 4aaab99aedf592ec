package dev.tether.cli;

import dev.tether.peer.FileMetadataStore;
import dev.tether.peer.PeerNames;
import dev.tether.peer.PeerRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tether peer}: the peer registry on a {@link FileMetadataStore}. Exit codes: 0 done, 2
 * usage error or rejected name, 4 registry failure (unknown pod, I/O error).
 */
@Command(
    name = "peer",
    mixinStandardHelpOptions = true,
    description = "Manages pods and their reciprocal peer relations in a store directory.",
    subcommands = {
      PeerCommand.Add.class,
      PeerCommand.Register.class,
      PeerCommand.Unregister.class,
      PeerCommand.ListPeers.class
    })
final class PeerCommand implements Callable<Integer> {

  /** Exit status for registry failures. */
  static final int EXIT_REGISTRY = 4;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return TetherCli.EXIT_USAGE;
  }

  /** Options and error handling shared by the subcommands. */
  abstract static class StoreCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--store",
        required = true,
        paramLabel = "DIR",
        description = "The store's data directory (created if missing).")
    Path store;

    abstract void run(PeerRegistry registry) throws IOException;

    @Override
    public final Integer call() {
      try {
        run(PeerRegistry.open(FileMetadataStore.open(store)));
        return 0;
      } catch (IllegalArgumentException e) {
        spec.commandLine().getErr().println("tether peer: " + e.getMessage());
        return TetherCli.EXIT_USAGE;
      } catch (IOException e) {
        spec.commandLine().getErr().println("tether peer: " + e.getMessage());
        return EXIT_REGISTRY;
      }
    }
  }

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description = "Creates a pod's record with no peers; does nothing if it exists.")
  static final class Add extends StoreCommand {
    @Parameters(paramLabel = "NAME", description = "The pod (" + PeerNames.RULE + ").")
    String name;

    @Override
    void run(PeerRegistry registry) throws IOException {
      registry.add(name);
    }
  }

  /** A change of the relation between two pods. */
  abstract static class PairCommand extends StoreCommand {
    @Parameters(index = "0", paramLabel = "SOURCE")
    String source;

    @Parameters(index = "1", paramLabel = "TARGET")
    String target;
  }

  @Command(
      name = "register",
      mixinStandardHelpOptions = true,
      description = "Makes SOURCE and TARGET peers of each other (both sides, or neither).")
  static final class Register extends PairCommand {
    @Override
    void run(PeerRegistry registry) throws IOException {
      registry.register(source, target);
    }
  }

  @Command(
      name = "unregister",
      mixinStandardHelpOptions = true,
      description = "Removes SOURCE and TARGET from each other's peers (both sides, or neither).")
  static final class Unregister extends PairCommand {
    @Override
    void run(PeerRegistry registry) throws IOException {
      registry.unregister(source, target);
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Prints the peers of NAME, one per line, sorted.")
  static final class ListPeers extends StoreCommand {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    void run(PeerRegistry registry) throws IOException {
      for (String peer : registry.peers(name)) {
        spec.commandLine().getOut().println(peer);
      }
    }
  }
}
