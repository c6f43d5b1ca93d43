package org.lvlmworkbench.core.processing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One chat turn as transformers hands it to a chat template: a role and a content that is either a
 * plain string ({@code message['content']} is a string, as users pass to
 * {@code tokenizer.apply_chat_template} for text-only models and ChatML/Llama-3 templates expect) or a
 * list of typed parts ({@code [{'type': 'image'}, {'type': 'text', 'text': ...}]}, as users pass to a
 * multimodal processor's {@code apply_chat_template}). transformers passes either form through to
 * the template unchanged, so which one a template sees is decided by the caller; exactly one of
 * {@code text} and {@code parts} is non-null.
 */
public record ChatMessage(String role, String text, List<Part> parts) {

    public record Part(String type, String text) {
    }

    public ChatMessage {
        if (role == null) {
            throw new IllegalArgumentException("a chat message needs a role");
        }
        if ((text == null) == (parts == null)) {
            throw new IllegalArgumentException("a chat message has either plain text or a list of parts");
        }
        parts = parts == null ? null : List.copyOf(parts);
    }

    /** A message whose content is a plain string. */
    public static ChatMessage plain(String role, String text) {
        return new ChatMessage(role, text, null);
    }

    /** A message whose content is a list of parts. */
    public static ChatMessage ofParts(String role, List<Part> parts) {
        return new ChatMessage(role, null, parts);
    }

    /** A text-only user turn, content a plain string (what text-only chat templates index). */
    public static ChatMessage user(String text) {
        return plain("user", text);
    }

    /** A multimodal user turn in parts form: {@code images} image parts, then one text part. */
    public static ChatMessage user(String text, int images) {
        List<Part> parts = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            parts.add(new Part("image", null));
        }
        parts.add(new Part("text", text));
        return ofParts("user", parts);
    }

    /** An assistant turn, content a plain string. */
    public static ChatMessage assistant(String text) {
        return plain("assistant", text);
    }

    /** An assistant turn in parts form (one text part), as multimodal templates expect. */
    public static ChatMessage assistantParts(String text) {
        return ofParts("assistant", List.of(new Part("text", text)));
    }

    /** A system turn, content a plain string. */
    public static ChatMessage system(String text) {
        return plain("system", text);
    }

    public boolean isPlain() {
        return text != null;
    }

    /**
     * The value templates index: {@code message['content']} is the string itself for a plain
     * message, and a list of maps ({@code message['content'][0]['type']}) for the parts form.
     */
    Map<String, Object> toTemplateValue() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        if (text != null) {
            m.put("content", text);
            return m;
        }
        List<Map<String, Object>> list = new ArrayList<>();
        for (Part p : parts) {
            Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("type", p.type());
            if (p.text() != null) {
                pm.put("text", p.text());
            }
            list.add(pm);
        }
        m.put("content", list);
        return m;
    }
}
