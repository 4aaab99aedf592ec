package dev.tether.stub;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** One client channel to one stub server on a virtual clock, with what the server read. */
abstract class StubPair {
  final VirtualScheduler clock = new VirtualScheduler();
  final StubNetwork net = new StubNetwork(clock);
  final StubEndpoint server;
  final List<String> serverGot = new ArrayList<>();
  final StubFaultsTest.Client client = new StubFaultsTest.Client();

  StubPair(String uri) {
    server = net.endpoint(uri);
  }

  /** Opens the client's channel; returns the server's side of it. */
  StubConnection connect() {
    server.onFrame((c, f) -> serverGot.add(new String(f, StandardCharsets.UTF_8)));
    net.transport().open(server.uri(), client);
    clock.runUntilIdle();
    return server.connections().get(0);
  }
}
