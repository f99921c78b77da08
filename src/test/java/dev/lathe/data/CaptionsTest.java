package dev.lathe.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CaptionsTest {

  @ParameterizedTest(name = "[{0}] dropped={1} trigger={2} reg={3} -> [{4}]")
  @CsvSource(delimiter = '|', emptyValue = "", nullValues = "NULL", value = {
      // trigger prepended when missing
      "a man in a hat            | false | sks  | false | sks a man in a hat",
      // already there: unchanged
      "sks in a hat              | false | sks  | false | sks in a hat",
      // a longer word holding the trigger does not count
      "a man asks for tea        | false | sks  | false | sks a man asks for tea",
      // placeholders replaced, then nothing to prepend
      "[trigger] in a hat        | false | sks  | false | sks in a hat",
      "photo of [name], smiling  | false | sks  | false | photo of sks, smiling",
      // dropout: the caption becomes the trigger alone
      "a man in a hat            | true  | sks  | false | sks",
      // regularization: placeholders replaced, never prepended; dropped stays empty
      "a man in a hat            | false | sks  | true  | a man in a hat",
      "[trigger] in a hat        | false | sks  | true  | sks in a hat",
      "a man in a hat            | true  | sks  | true  | ''",
      // no trigger: placeholders removed and the text tidied
      "[trigger], a man in a hat | false | NULL | false | a man in a hat",
      "a photo of [trigger] here | false | NULL | false | a photo of here",
      "a man, [name], smiling    | false | NULL | false | a man, smiling",
      "a man in a hat            | true  | NULL | false | ''",
      // empty caption with a trigger
      "''                        | false | sks  | false | sks",
  })
  void finalCaption_rules(String base, boolean dropped, String trigger, boolean reg, String expected) {
    String b = base.equals("''") ? "" : base;
    String e = expected.equals("''") ? "" : expected;
    assertThat(Captions.finalCaption(b, dropped, trigger, reg)).isEqualTo(e);
  }

  @Test
  void effectiveTrigger_datasetBeatsJob() {
    assertThat(Captions.effectiveTrigger("ds_tok", "job_tok")).isEqualTo("ds_tok");
    assertThat(Captions.effectiveTrigger(null, "job_tok")).isEqualTo("job_tok");
    assertThat(Captions.effectiveTrigger("  ", " job_tok ")).isEqualTo("job_tok");
    assertThat(Captions.effectiveTrigger(null, null)).isNull();
  }

  @Test
  void preservationPrompt_replacesTriggerWithClass() {
    assertThat(Captions.preservationPrompt("sks_neo at the beach, sks_neo smiling", "sks_neo", "person"))
        .isEqualTo("person at the beach, person smiling");
    assertThat(Captions.preservationPrompt("sks_neo_x stays", "sks_neo", "person")).isEqualTo("sks_neo_x stays");
    assertThat(Captions.preservationPrompt("sks", "sks", "person")).isEqualTo("person");
    assertThat(Captions.preservationPrompt("a man", null, "person")).isEqualTo("a man");
  }

  @Test
  void containsWord_boundaries() {
    assertThat(Captions.containsWord("sks, a man", "sks")).isTrue();
    assertThat(Captions.containsWord("(sks)", "sks")).isTrue();
    assertThat(Captions.containsWord("asks", "sks")).isFalse();
    assertThat(Captions.containsWord("sks_2", "sks")).isFalse();
    assertThat(Captions.containsWord("asks sks", "sks")).isTrue();
  }

  @Test
  void decode_utf8WithBomAndLines_joined() {
    byte[] b = "\uFEFF  a man\r\n\r\n  in a hat  \n".getBytes(StandardCharsets.UTF_8);
    assertThat(Captions.decode(b).text()).isEqualTo("a man in a hat");
    assertThat(Captions.decode("café".getBytes(StandardCharsets.UTF_8)).text()).isEqualTo("café");
  }

  @Test
  void decode_badFiles_problemNoText() {
    assertThat(Captions.decode(new byte[0])).isEqualTo(new Captions.Read(null, "empty caption file (0 bytes)"));
    assertThat(Captions.decode(" \n\t\n".getBytes(StandardCharsets.UTF_8)).problem()).isEqualTo("caption file holds only white space");
    byte[] latin1 = "caf\u00e9 au lait".getBytes(StandardCharsets.ISO_8859_1);   // é as a lone 0xE9
    Captions.Read r = Captions.decode(latin1);
    assertThat(r.text()).isNull();
    assertThat(r.problem()).isEqualTo("not valid UTF-8 (at byte 3); save it as UTF-8");
  }
}
