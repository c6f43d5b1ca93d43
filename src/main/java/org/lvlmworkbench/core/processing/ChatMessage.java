package org.lvlmworkbench.core.processing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One chat turn in HF's structured form: a role and a list of text and image parts. */
public record ChatMessage(String role, List<Part> content) {

    public record Part(String type, String text) {
    }

    public static ChatMessage user(String text, int images) {
        List<Part> parts = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            parts.add(new Part("image", null));
        }
        parts.add(new Part("text", text));
        return new ChatMessage("user", parts);
    }

    public static ChatMessage assistant(String text) {
        return new ChatMessage("assistant", List.of(new Part("text", text)));
    }

    /** The map form templates index, e.g. {@code message['content'][0]['type']}. */
    Map<String, Object> toTemplateValue() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        List<Map<String, Object>> parts = new ArrayList<>();
        for (Part p : content) {
            Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("type", p.type());
            if (p.text() != null) {
                pm.put("text", p.text());
            }
            parts.add(pm);
        }
        m.put("content", parts);
        return m;
    }
}
