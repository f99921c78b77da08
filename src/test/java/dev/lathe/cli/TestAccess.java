package dev.lathe.cli;

import dev.lathe.config.ResolvedConfig;

/** Test access to package-private CLI helpers. */
public final class TestAccess {
  private TestAccess() {}

  public static String standalone(ResolvedConfig rc, String name) throws Exception {
    return TrainCommands.standalone(rc, name);
  }
}
