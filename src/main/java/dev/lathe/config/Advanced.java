package dev.lathe.config;

/**
 * ADVANCED / regularization panel.
 *
 * @param differentialOutputPreservation keep the base model's output on class prompts (trigger swapped for
 *     {@code dopClass}) with an extra loss term
 * @param dopMultiplier weight of that term
 * @param dopClass the word the trigger is replaced with for the preservation pass, e.g. "person"
 * @param blankPromptPreservation the same with the empty prompt instead of the class prompt
 * @param blankPromptMultiplier weight of the blank-prompt term
 * @param differentialGuidance push the target past the model's own prediction (turbo models)
 * @param differentialGuidanceScale how far past it
 */
public record Advanced(boolean differentialOutputPreservation, double dopMultiplier, String dopClass,
    boolean blankPromptPreservation, double blankPromptMultiplier, boolean differentialGuidance,
    double differentialGuidanceScale) {
  public static final Advanced DEFAULTS = new Advanced(false, 1.0, "person", false, 1.0, false, 3.0);
}
