package dev.lathe.config;

import java.util.List;

/** Renders a {@link ResolvedConfig} as complete TOML with a provenance comment on each line. */
final class ResolvedToml {
  private ResolvedToml() {}

  static String render(ResolvedConfig r) {
    StringBuilder sb = new StringBuilder();
    JobConfig c = r.config();
    sb.append("# Resolved config: ").append(String.join(" <- ", r.chain())).append('\n');
    sb.append("# Every field is written out; the comment after each value says where it came from.\n");
    if (!c.preset().isEmpty())
      sb.append("# extends = ").append(TomlText.string(c.preset())).append("  (already applied: every value below is explicit)\n");
    sb.append('\n');
    scalars(sb, r, Schema.ROOT, c, "");
    for (FieldSpec<JobConfig> f : Schema.ROOT.fields()) {
      if (f.type() == FieldSpec.Type.TABLE) {
        Record panel = (Record) f.get(c);
        sb.append('\n').append('[').append(f.key()).append("]\n");
        scalars(sb, r, f.child(), panel, f.key());
        for (FieldSpec<?> sub : f.child().fields())
          if (sub.type() == FieldSpec.Type.TABLES) tables(sb, r, sub, getAny(sub, panel), f.key() + "." + sub.key());
      } else if (f.type() == FieldSpec.Type.TABLES) {
        tables(sb, r, f, c.datasets(), f.key());
      }
    }
    return sb.toString();
  }

  private static void tables(StringBuilder sb, ResolvedConfig r, FieldSpec<?> f, Object value, String path) {
    List<?> items = (List<?>) value;
    String source = r.origin(path).toString();
    if (items.isEmpty()) {
      sb.append("\n# no [[").append(path).append("]]  # ").append(source).append('\n');
      return;
    }
    for (int i = 0; i < items.size(); i++) {
      sb.append("\n[[").append(path).append("]]  # ").append(r.origin(path + "[" + i + "]")).append('\n');
      scalars(sb, r, f.child(), (Record) items.get(i), path + "[" + i + "]");
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Object getAny(FieldSpec f, Record r) {
    return f.get(r);
  }

  private static void scalars(StringBuilder sb, ResolvedConfig r, Section<?> s, Record value, String prefix) {
    List<String[]> rows = new java.util.ArrayList<>();   // {key = value, source}
    int keyWidth = 0;
    for (FieldSpec<?> f : s.fields()) if (leaf(f)) keyWidth = Math.max(keyWidth, f.key().length());
    for (FieldSpec<?> f : s.fields()) {
      if (!leaf(f) || (s == Schema.ROOT && f.key().equals("extends"))) continue;
      String path = prefix.isEmpty() ? f.key() : prefix + "." + f.key();
      Object v = getAny(f, value);
      String key = pad(f.key(), keyWidth);
      String line = v == null ? "# " + key + " =  (not set: the [sample] value applies)" : key + " = " + TomlText.literal(v);
      rows.add(new String[] {line, r.origin(path).toString()});
    }
    int width = rows.stream().mapToInt(a -> a[0].length()).filter(n -> n <= 60).max().orElse(0);
    for (String[] row : rows) sb.append(pad(row[0], width)).append("  # ").append(row[1]).append('\n');
  }

  private static boolean leaf(FieldSpec<?> f) {
    return f.type() != FieldSpec.Type.TABLE && f.type() != FieldSpec.Type.TABLES;
  }

  private static String pad(String s, int w) {
    return s + " ".repeat(Math.max(0, w - s.length()));
  }
}
