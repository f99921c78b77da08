package dev.lathe.config;

import java.math.BigDecimal;
import java.util.List;
import java.util.stream.Collectors;
import org.tomlj.Toml;

/** TOML literals the way a person would write them: {@code 1e-4}, {@code 0.05}, {@code "text"}, {@code [512, 768]}. */
final class TomlText {
  private TomlText() {}

  static String literal(Object v) {
    if (v instanceof String s) return string(s);
    if (v instanceof Choice c) return string(c.key());
    if (v instanceof Boolean b) return b.toString();
    if (v instanceof Double d) return number(d);
    if (v instanceof Float f) return number(f.doubleValue());
    if (v instanceof Number n) return Long.toString(n.longValue());
    if (v instanceof List<?> l) return l.stream().map(TomlText::literal).collect(Collectors.joining(", ", "[", "]"));
    throw new IllegalArgumentException("no TOML literal for " + v);
  }

  static String string(String s) {
    return "\"" + Toml.tomlEscape(s) + "\"";
  }

  /** A float literal: scientific below 1e-3 ({@code 1e-4}, {@code 5e-5}), plain decimal otherwise ({@code 3.0}). */
  static String number(double d) {
    if (Double.isNaN(d)) return "nan";
    if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
    if (d == 0) return "0.0";
    BigDecimal bd = new BigDecimal(Double.toString(d)).stripTrailingZeros();
    if (Math.abs(d) < 1e-3 || Math.abs(d) >= 1e15) {
      int exp = bd.precision() - bd.scale() - 1;
      BigDecimal mant = bd.movePointLeft(exp).stripTrailingZeros();
      String m = mant.scale() <= 0 ? mant.toBigInteger().toString() : mant.toPlainString();
      return m + "e" + exp;
    }
    String s = bd.toPlainString();
    return s.contains(".") ? s : s + ".0";
  }
}
