package org.lvlmworkbench.core.analysis.probe;

/** What a position of a probe run holds. */
public enum TokenKind {
    /** A special token such as BOS. */
    SPECIAL,
    /** Text the chat template adds around the user's words (role names, separators). */
    TEMPLATE,
    /** The user's question. */
    QUESTION,
    /** One image token (a patch, or the class token), with its place in the patch grid. */
    IMAGE,
    /** A token the model generated. */
    GENERATED
}
