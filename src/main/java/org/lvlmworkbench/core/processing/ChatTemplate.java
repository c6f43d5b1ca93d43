package org.lvlmworkbench.core.processing;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.lvlmworkbench.core.config.ConfigException;
import org.lvlmworkbench.core.config.JsonFields;

/**
 * A model's chat template, rendered with Jinjava. Jinjava reports many problems as errors in its
 * result rather than exceptions and renders on; here every such error fails the render, because a
 * silently wrong prompt gives silently wrong answers.
 */
public final class ChatTemplate {

    private final String source;
    private final Path origin;
    private final String template;
    private final Map<String, Object> specialTokens;

    private ChatTemplate(String source, Path origin, Map<String, Object> specialTokens) {
        this.source = source;
        this.origin = origin;
        this.template = toJinjava(source);
        this.specialTokens = specialTokens;
    }

    public static ChatTemplate of(String source, Path origin, Map<String, Object> specialTokens) {
        return new ChatTemplate(source, origin, specialTokens);
    }

    /**
     * Finds the template as transformers does: {@code chat_template.jinja}, then
     * {@code chat_template.json}, then {@code tokenizer_config.json}'s {@code chat_template}.
     */
    public static ChatTemplate load(Path folder) {
        return find(folder).orElseThrow(() -> new ConfigException(folder, "chat_template",
                "no chat template: expected chat_template.jinja, chat_template.json or tokenizer_config.json:chat_template"));
    }

    /** The folder's chat template, or empty when it has none (text-only base models often lack one). */
    public static java.util.Optional<ChatTemplate> find(Path folder) {
        Map<String, Object> special = specialTokens(folder);
        Path jinja = folder.resolve("chat_template.jinja");
        try {
            if (Files.isRegularFile(jinja)) {
                return java.util.Optional.of(new ChatTemplate(Files.readString(jinja), jinja, special));
            }
        } catch (IOException e) {
            throw new ConfigException(jinja, null, "cannot be read: " + e, e);
        }
        Path json = folder.resolve("chat_template.json");
        if (Files.isRegularFile(json)) {
            return java.util.Optional.of(new ChatTemplate(JsonFields.read(json).string("chat_template"), json, special));
        }
        Path tokConfig = folder.resolve("tokenizer_config.json");
        if (Files.isRegularFile(tokConfig)) {
            JsonFields f = JsonFields.read(tokConfig);
            if (f.has("chat_template")) {
                return java.util.Optional.of(new ChatTemplate(fromTokenizerConfig(f), tokConfig, special));
            }
        }
        return java.util.Optional.empty();
    }

    /**
     * {@code tokenizer_config.json}'s {@code chat_template}: a string, or a list of named templates of
     * which transformers uses {@code default}. transformers builds
     * {@code {template["name"]: template["template"] for template in self.chat_template}}
     * (tokenization_utils_base.py:1082), so every entry needs both fields, not only the default one.
     */
    static String fromTokenizerConfig(JsonFields f) {
        JsonElement e = f.raw().get("chat_template");
        if (!e.isJsonArray()) {
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                throw f.error("chat_template", "must be a string or a list of {name, template} objects, found "
                        + abbreviate(e));
            }
            return f.string("chat_template");
        }
        JsonArray list = e.getAsJsonArray();
        String chosen = null;
        for (int i = 0; i < list.size(); i++) {
            String field = "chat_template[" + i + "]";
            JsonElement entry = list.get(i);
            if (entry == null || !entry.isJsonObject()) {
                throw f.error(field, "must be an object with 'name' and 'template', found " + abbreviate(entry));
            }
            JsonFields named = new JsonFields(f.file(), f.path(field), entry.getAsJsonObject());
            String name = named.string("name");
            String template = named.string("template");
            if (name.equals("default") && chosen == null) {
                chosen = template;
            }
        }
        if (chosen == null) {
            throw f.error("chat_template", "list has no template named 'default'");
        }
        return chosen;
    }

    /**
     * The special-token strings a template may use ({@code bos_token}, ...), from
     * {@code tokenizer_config.json}: a string, or an AddedToken object whose {@code content} is the
     * string ({@code {"__type": "AddedToken", "content": "<s>", ...}}). A null value is no token.
     */
    private static Map<String, Object> specialTokens(Path folder) {
        Map<String, Object> out = new HashMap<>();
        Path tokConfig = folder.resolve("tokenizer_config.json");
        if (Files.isRegularFile(tokConfig)) {
            JsonFields f = JsonFields.read(tokConfig);
            for (String key : List.of("bos_token", "eos_token", "pad_token", "unk_token")) {
                if (!f.has(key)) {
                    continue;
                }
                JsonElement e = f.raw().get(key);
                if (e.isJsonObject()) {
                    out.put(key, f.object(key).string("content"));
                } else if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
                    out.put(key, f.string(key));
                } else {
                    throw f.error(key, "must be a string or an object with a 'content' string, found " + abbreviate(e));
                }
            }
        }
        return out;
    }

    private static String abbreviate(JsonElement e) {
        String s = String.valueOf(e);
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    /** A special token's text as templates see it (e.g. {@code bos_token}), or null when the folder has none. */
    public String specialToken(String name) {
        Object v = specialTokens.get(name);
        return v == null ? null : v.toString();
    }

    public String source() {
        return source;
    }

    public Path origin() {
        return origin;
    }

    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        Jinjava jinjava = new Jinjava(JinjavaConfig.newBuilder().withTrimBlocks(false).build());
        jinjava.getGlobalContext().registerTag(new GenerationTag());
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
                ChatTemplate.class, "raiseException", String.class));
        Map<String, Object> bindings = new HashMap<>(specialTokens);
        List<Map<String, Object>> msgs = new ArrayList<>();
        for (ChatMessage m : messages) {
            msgs.add(m.toTemplateValue());
        }
        bindings.put("messages", msgs);
        bindings.put("add_generation_prompt", addGenerationPrompt);
        checkNamesResolve(jinjava);
        RenderResult result = jinjava.renderForResult(template, bindings);
        List<TemplateError> errors = result.getErrors();
        if (!errors.isEmpty()) {
            String text = errors.stream()
                    .map(e -> e.getSeverity() + " line " + e.getLineno() + ": " + e.getMessage() + rootCause(e))
                    .collect(Collectors.joining("; "));
            throw new ConfigException(origin, "chat_template", "render failed: " + text);
        }
        return result.getOutput();
    }

    private static final Pattern EXPRESSION = Pattern.compile("\\{\\{(.*?)\\}\\}|\\{%(.*?)%\\}", Pattern.DOTALL);
    private static final Pattern STRING_LITERAL = Pattern.compile("'(?:[^'\\\\]|\\\\.)*'|\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern FILTER = Pattern.compile("\\|\\s*([A-Za-z_]\\w*)");
    private static final Pattern TEST = Pattern.compile("\\bis\\s+(?:not\\s+)?([A-Za-z_]\\w*)");

    /** Jinjava renders an unknown filter or test as nothing, without an error; refuse them up front. */
    private void checkNamesResolve(Jinjava jinjava) {
        Matcher m = EXPRESSION.matcher(template);
        while (m.find()) {
            String code = STRING_LITERAL.matcher(m.group(1) != null ? m.group(1) : m.group(2)).replaceAll("''");
            Matcher f = FILTER.matcher(code);
            while (f.find()) {
                if (jinjava.getGlobalContext().getFilter(f.group(1)) == null) {
                    throw new ConfigException(origin, "chat_template", "unknown filter '" + f.group(1) + "'");
                }
            }
            Matcher t = TEST.matcher(code);
            while (t.find()) {
                if (jinjava.getGlobalContext().getExpTest(t.group(1)) == null) {
                    throw new ConfigException(origin, "chat_template", "unknown test '" + t.group(1) + "'");
                }
            }
        }
    }

    private static String rootCause(TemplateError e) {
        Throwable t = e.getException();
        if (t == null) {
            return "";
        }
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return " (" + t.getMessage() + ")";
    }

    public static String raiseException(String message) {
        throw new IllegalStateException("template raised: " + message);
    }

    /** Python string methods that HF templates use and Jinjava lacks, rewritten as filters. */
    static String toJinjava(String src) {
        return src.replace(".upper()", "|upper")
                .replace(".lower()", "|lower")
                .replace(".strip()", "|trim")
                .replace(".title()", "|title");
    }

    /** transformers' {@code {% generation %}} marks assistant text for masks; rendering ignores it. */
    private static final class GenerationTag implements Tag {
        @Override
        public String getName() {
            return "generation";
        }

        @Override
        public String getEndTagName() {
            return "endgeneration";
        }

        @Override
        public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
            StringBuilder sb = new StringBuilder();
            for (Node child : tagNode.getChildren()) {
                sb.append(child.render(interpreter).getValue());
            }
            return sb.toString();
        }
    }
}
