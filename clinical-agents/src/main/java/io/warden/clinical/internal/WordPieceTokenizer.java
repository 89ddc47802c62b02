package io.warden.clinical.internal;

import io.warden.clinical.ModelUnavailable;
import java.io.IOException;
import java.io.InputStream;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * BERT tokenisation as Hugging Face's {@code tokenizers} does it for a {@code BertNormalizer} +
 * {@code BertPreTokenizer} + {@code WordPiece} model: clean control characters, space out CJK ideographs,
 * lower-case and strip accents, split on whitespace and punctuation, then greedy longest-match word
 * pieces with the {@code ##} prefix; {@code [CLS] ... [SEP]}, truncated to the model's maximum length.
 * Reads the vocabulary and settings from a {@code tokenizer.json}; needs nothing else and no network.
 * Immutable and thread-safe.
 */
final class WordPieceTokenizer {

    private final Map<String, Integer> vocabulary;
    private final boolean lowercase;
    private final boolean stripAccents;
    private final int maxLength;
    private final int maxCharsPerWord;
    private final String prefix;
    private final int unknown;
    private final int classification;
    private final int separator;

    private WordPieceTokenizer(
            Map<String, Integer> vocabulary,
            boolean lowercase,
            boolean stripAccents,
            int maxLength,
            int maxCharsPerWord,
            String prefix,
            String unknownToken) {
        this.vocabulary = Map.copyOf(vocabulary);
        this.lowercase = lowercase;
        this.stripAccents = stripAccents;
        this.maxLength = maxLength;
        this.maxCharsPerWord = maxCharsPerWord;
        this.prefix = prefix;
        this.unknown = id(unknownToken);
        this.classification = id("[CLS]");
        this.separator = id("[SEP]");
    }

    private int id(String token) {
        Integer id = vocabulary.get(token);
        if (id == null) {
            throw new ModelUnavailable("the tokenizer's vocabulary has no " + token);
        }
        return id;
    }

    /** Reads a Hugging Face {@code tokenizer.json} of a WordPiece model. */
    public static WordPieceTokenizer fromTokenizerJson(InputStream json, String source) {
        JsonNode root;
        try (json) {
            root = JsonMapper.builder().build().readTree(json);
        } catch (IOException | RuntimeException e) {
            throw new ModelUnavailable("The tokenizer " + source + " is not readable JSON", e);
        }
        JsonNode model = root.path("model");
        if (!"WordPiece".equals(model.path("type").asString(""))) {
            throw new ModelUnavailable("The tokenizer " + source + " is not a WordPiece tokenizer (model.type = "
                    + model.path("type").asString("missing") + ")");
        }
        Map<String, Integer> vocabulary = new HashMap<>();
        model.path("vocab")
                .properties()
                .forEach(
                        entry -> vocabulary.put(entry.getKey(), entry.getValue().asInt()));
        if (vocabulary.isEmpty()) {
            throw new ModelUnavailable("The tokenizer " + source + " has an empty vocabulary");
        }
        JsonNode normalizer = root.path("normalizer");
        boolean lowercase = normalizer.path("lowercase").asBoolean(true);
        JsonNode strip = normalizer.path("strip_accents");
        boolean stripAccents = strip.isNull() || strip.isMissingNode() ? lowercase : strip.asBoolean();
        int maxLength = root.path("truncation").path("max_length").asInt(512);
        return new WordPieceTokenizer(
                vocabulary,
                lowercase,
                stripAccents,
                maxLength,
                model.path("max_input_chars_per_word").asInt(100),
                model.path("continuing_subword_prefix").asString("##"),
                model.path("unk_token").asString("[UNK]"));
    }

    public int maxLength() {
        return maxLength;
    }

    /** Token ids with {@code [CLS]} first and {@code [SEP]} last, at most {@link #maxLength()} of them. */
    public long[] encode(String text) {
        List<Integer> ids = new ArrayList<>();
        ids.add(classification);
        outer:
        for (String word : preTokenize(normalize(text))) {
            for (int piece : wordPieces(word)) {
                if (ids.size() == maxLength - 1) {
                    break outer;
                }
                ids.add(piece);
            }
        }
        ids.add(separator);
        return ids.stream().mapToLong(Integer::longValue).toArray();
    }

    /** The word pieces of one pre-tokenised word, or {@code [UNK]} when it cannot be split. */
    List<Integer> wordPieces(String word) {
        if (word.codePointCount(0, word.length()) > maxCharsPerWord) {
            return List.of(unknown);
        }
        List<Integer> pieces = new ArrayList<>();
        int start = 0;
        while (start < word.length()) {
            int end = word.length();
            Integer found = null;
            while (start < end) {
                String candidate = (start > 0 ? prefix : "") + word.substring(start, end);
                found = vocabulary.get(candidate);
                if (found != null) {
                    break;
                }
                end = word.offsetByCodePoints(end, -1);
            }
            if (found == null) {
                return List.of(unknown);
            }
            pieces.add(found);
            start = end;
        }
        return pieces;
    }

    String normalize(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            if (cp == 0 || cp == 0xFFFD || isControl(cp)) {
                return;
            }
            if (isWhitespace(cp)) {
                out.append(' ');
            } else if (isChinese(cp)) {
                out.append(' ').appendCodePoint(cp).append(' ');
            } else {
                out.appendCodePoint(cp);
            }
        });
        String normalized = out.toString();
        if (lowercase) {
            normalized = normalized.toLowerCase(Locale.ROOT);
        }
        if (stripAccents) {
            normalized = Normalizer.normalize(normalized, Normalizer.Form.NFD)
                    .codePoints()
                    .filter(cp -> Character.getType(cp) != Character.NON_SPACING_MARK)
                    .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                    .toString();
        }
        return normalized;
    }

    List<String> preTokenize(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        text.codePoints().forEach(cp -> {
            if (isWhitespace(cp)) {
                flush(word, words);
            } else if (isPunctuation(cp)) {
                flush(word, words);
                words.add(new String(Character.toChars(cp)));
            } else {
                word.appendCodePoint(cp);
            }
        });
        flush(word, words);
        return words;
    }

    private static void flush(StringBuilder word, List<String> words) {
        if (!word.isEmpty()) {
            words.add(word.toString());
            word.setLength(0);
        }
    }

    private static boolean isWhitespace(int cp) {
        return cp == ' '
                || cp == '\t'
                || cp == '\n'
                || cp == '\r'
                || Character.getType(cp) == Character.SPACE_SEPARATOR;
    }

    private static boolean isControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            return false;
        }
        int type = Character.getType(cp);
        return type == Character.CONTROL
                || type == Character.FORMAT
                || type == Character.PRIVATE_USE
                || type == Character.SURROGATE
                || type == Character.UNASSIGNED;
    }

    /** BERT's punctuation: ASCII symbols and every Unicode punctuation category. */
    private static boolean isPunctuation(int cp) {
        if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.CONNECTOR_PUNCTUATION
                || type == Character.DASH_PUNCTUATION
                || type == Character.START_PUNCTUATION
                || type == Character.END_PUNCTUATION
                || type == Character.INITIAL_QUOTE_PUNCTUATION
                || type == Character.FINAL_QUOTE_PUNCTUATION
                || type == Character.OTHER_PUNCTUATION;
    }

    private static boolean isChinese(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF)
                || (cp >= 0x3400 && cp <= 0x4DBF)
                || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F)
                || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B820 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
