package dev.lathe.tui;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.gui2.AbstractComponent;
import com.googlecode.lanterna.gui2.Component;
import com.googlecode.lanterna.gui2.ComponentRenderer;
import com.googlecode.lanterna.gui2.TextGUIGraphics;
import java.util.List;
import java.util.Map;

/**
 * PLACEHOLDER for screens that wait on other packages (Queue and Datasets need the job store and the dataset scan,
 * New job needs the config model). It says so on screen; the lead replaces each with the real screen.
 */
public final class PlaceholderScreen implements ConsoleScreen {
  private final String title;
  private final Action action;
  private final List<String> lines;
  private final Body body;

  public PlaceholderScreen(Skin skin, String title, Action action, List<String> lines) {
    this.title = title;
    this.action = action;
    this.lines = List.copyOf(lines);
    this.body = new Body(skin);
  }

  @Override
  public String title() {
    return title;
  }

  @Override
  public Action showAction() {
    return action;
  }

  @Override
  public Scope scope() {
    return Scope.GLOBAL;
  }

  @Override
  public Component component() {
    return body;
  }

  @Override
  public void show(Frame frame) {}

  @Override
  public Map<Action, Runnable> handlers() {
    return Map.of();
  }

  private final class Body extends AbstractComponent<Body> {
    private final Skin skin;

    Body(Skin skin) {
      this.skin = skin;
    }

    @Override
    protected ComponentRenderer<Body> createDefaultRenderer() {
      return new ComponentRenderer<>() {
        @Override
        public TerminalSize getPreferredSize(Body b) {
          return new TerminalSize(40, 5);
        }

        @Override
        public void drawComponent(TextGUIGraphics g, Body b) {
          TextGUIGraphics in = Frames.framed(g, skin, title + " (not built yet)", false);
          for (int i = 0; i < lines.size(); i++) Frames.text(in, skin, 1, 1 + i, lines.get(i), i == 0 ? Role.WARN : Role.MUTED);
        }
      };
    }
  }
}
