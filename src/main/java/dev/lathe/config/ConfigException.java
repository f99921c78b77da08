package dev.lathe.config;

import java.util.List;

/** A config file that cannot be used at all (broken TOML or YAML syntax); the problems say where. */
public final class ConfigException extends Exception {
  private final List<Problem> problems;

  public ConfigException(List<Problem> problems) {
    super(problems.isEmpty() ? "invalid config" : problems.get(0).toString());
    this.problems = List.copyOf(problems);
  }

  public List<Problem> problems() {
    return problems;
  }
}
