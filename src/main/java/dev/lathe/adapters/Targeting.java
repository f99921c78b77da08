package dev.lathe.adapters;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Which module paths an adapter goes on. A pattern is a substring ("attention", as the reference tool's
 * only_if_contains / ignore_if_contains), a glob when it holds '*' or '?' ("layers.*.feed_forward.w?"), or a
 * regular expression after "re:".
 */
final class Targeting {
  private Targeting() {}

  static Predicate<String> pattern(String p) {
    if (p.startsWith("re:")) {
      Pattern re = Pattern.compile(p.substring(3));
      return s -> re.matcher(s).find();
    }
    if (p.indexOf('*') >= 0 || p.indexOf('?') >= 0) {
      StringBuilder sb = new StringBuilder();
      for (char ch : p.toCharArray()) {
        if (ch == '*') sb.append(".*");
        else if (ch == '?') sb.append('.');
        else sb.append(Pattern.quote(String.valueOf(ch)));
      }
      Pattern re = Pattern.compile(sb.toString());
      return s -> re.matcher(s).matches();
    }
    return s -> s.contains(p);
  }

  /** The targeted paths, in the given order. */
  static List<String> select(List<String> paths, Predicate<String> defaults, List<String> include, List<String> exclude) {
    Predicate<String> in = include.isEmpty() ? defaults : include.stream().map(Targeting::pattern).reduce(x -> false, Predicate::or);
    Predicate<String> out = exclude.stream().map(Targeting::pattern).reduce(x -> false, Predicate::or);
    List<String> chosen = new ArrayList<>();
    for (String p : paths) if (in.test(p) && !out.test(p)) chosen.add(p);
    return chosen;
  }
}
