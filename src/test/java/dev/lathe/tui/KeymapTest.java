package dev.lathe.tui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeymapTest {
  @Test
  void docsKeysMd_equalsWhatTheKeymapRenders() throws IOException {
    Path doc = Path.of("docs", "KEYS.md");
    if (Boolean.getBoolean("lathe.writeDocs")) Files.writeString(doc, Keymap.defaults().markdown());
    assertThat(Files.readString(doc, StandardCharsets.UTF_8))
        .as("docs/KEYS.md is stale: run mvn test -Dtest=KeymapTest -Dlathe.writeDocs=true")
        .isEqualTo(Keymap.defaults().markdown());
  }

  @Test
  void noKeyTwiceInAScope_norHidingAGlobalKey() {
    Set<String> seen = new HashSet<>();
    Set<String> global = new HashSet<>();
    for (Binding b : Keymap.DEFAULTS) {
      assertThat(seen.add(b.scope() + " " + b.key())).as("%s bound twice in %s", b.key(), b.scope()).isTrue();
      if (b.scope() == Scope.GLOBAL) global.add(b.key());
    }
    for (Binding b : Keymap.DEFAULTS) if (b.scope() != Scope.GLOBAL) assertThat(global).doesNotContain(b.key());
  }

  @Test
  void everyAction_hasAKey() {
    Set<Action> bound = EnumSet.noneOf(Action.class);
    for (Binding b : Keymap.DEFAULTS) bound.add(b.action());
    assertThat(bound).containsExactlyInAnyOrderElementsOf(EnumSet.allOf(Action.class));
  }

  @Test
  void issueKeymap_isTheDefault() {
    Keymap k = Keymap.defaults();
    String[][] expected = {{"1", "screen_dashboard"}, {"2", "screen_queue"}, {"3", "screen_datasets"}, {"4", "screen_new_job"},
        {"5", "screen_monitor"}, {"?", "help"}, {":", "palette"}, {"q", "quit"}, {"esc", "back"}, {"t", "cycle_theme"},
        {"ctrl-l", "redraw"}, {"tab", "focus_next"}};
    for (String[] e : expected) assertThat(k.lookup(Scope.MONITOR, e[0]).orElseThrow().action().id()).isEqualTo(e[1]);
    String[][] monitor = {{"p", "pause"}, {"s", "sample_now"}, {"c", "save_now"}, {"x", "stop"}, {"h", "pan_left"},
        {"l", "pan_right"}, {"+", "zoom_in"}, {"-", "zoom_out"}, {"[", "sample_older"}, {"]", "sample_newer"}};
    for (String[] e : monitor) assertThat(k.lookup(Scope.MONITOR, e[0]).orElseThrow().action().id()).isEqualTo(e[1]);
    assertThat(k.lookup(Scope.GLOBAL, "p")).isEmpty();                    // monitor keys stay on the monitor
  }

  @Test
  void keysOf_strokes() {
    assertThat(Keys.of(new KeyStroke('l', true, false))).isEqualTo("ctrl-l");
    assertThat(Keys.of(new KeyStroke('Q', false, false))).isEqualTo("Q");
    assertThat(Keys.of(new KeyStroke(KeyType.ReverseTab))).isEqualTo("shift-tab");
    assertThat(Keys.of(new KeyStroke(' ', false, false))).isEqualTo("space");
    assertThat(Keys.parse("Ctrl-L")).isEqualTo("ctrl-l");
    assertThatThrownBy(() -> Keys.parse("hyper-x")).hasMessageContaining("is not a key");
  }

  @Test
  void keysToml_rebindsByActionName(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("keys.toml");
    Files.writeString(f, "# mine\npause = \"P\"\nstop = [\"X\", \"ctrl-x\"]\n");
    Keymap k = Keymap.load(f);
    assertThat(k.lookup(Scope.MONITOR, "P").orElseThrow().action()).isEqualTo(Action.PAUSE);
    assertThat(k.lookup(Scope.MONITOR, "p")).isEmpty();
    assertThat(k.keysOf(Action.STOP)).containsExactly("X", "ctrl-x");
  }

  @Test
  void keysToml_mistakes_areOneLineWithFileAndLine(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("keys.toml");
    Files.writeString(f, "pause = \"p\"\nfly = \"f\"\n");
    assertThatThrownBy(() -> Keymap.load(f)).hasMessage(f + ":2: fly: no such action (see docs/KEYS.md for the names)");
    Files.writeString(f, "pause = \"s\"\n");
    assertThatThrownBy(() -> Keymap.load(f)).hasMessageContaining("key s is bound twice in MONITOR");
    Files.writeString(f, "pause = \"q\"\n");
    assertThatThrownBy(() -> Keymap.load(f)).hasMessageContaining("hides the global quit");
    Files.writeString(f, "pause = \"hyper-p\"\n");
    assertThatThrownBy(() -> Keymap.load(f)).hasMessageStartingWith(f + ":1: pause: 'hyper-p' is not a key");
    assertThat(Keymap.load(dir.resolve("absent.toml")).bindings()).isEqualTo(Keymap.DEFAULTS);
  }

  @Test
  void footer_globalAndScope_onePerAction() {
    var f = Keymap.defaults().footer(Scope.MONITOR);
    assertThat(f.stream().map(b -> b.action().id())).startsWith("pause", "sample_now", "save_now", "stop", "show_output", "pan_left");
    assertThat(f.stream().map(Binding::action).distinct().count()).isEqualTo(f.size());
  }
}
