package io.warden.clinical.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warden.clinical.ModelUnavailable;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** BERT tokenisation on a small vocabulary whose pieces are known, and on MiniLM's real one. */
class WordPieceTokenizerTests {

    static final String TOKENIZER = """
            {"truncation": {"max_length": 8},
             "normalizer": {"type": "BertNormalizer", "lowercase": true, "strip_accents": null},
             "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                       "max_input_chars_per_word": 100,
                       "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "un": 4, "##aff": 5, "##able": 6,
                                 "cafe": 7, ",": 8, "ct": 9, "chest": 10, "?": 11, "a": 12}}}""";

    final WordPieceTokenizer tokenizer = WordPieceTokenizer.fromTokenizerJson(
            new ByteArrayInputStream(TOKENIZER.getBytes(StandardCharsets.UTF_8)), "test");

    @Test
    void splitsWordsIntoLongestKnownPieces() {
        assertThat(tokenizer.encode("unaffable")).containsExactly(2, 4, 5, 6, 3);
    }

    @Test
    void lowercasesStripsAccentsAndSplitsPunctuation() {
        assertThat(tokenizer.normalize("Café\u0007\tCT")).isEqualTo("cafe ct");
        assertThat(tokenizer.preTokenize("cafe,ct?")).containsExactly("cafe", ",", "ct", "?");
        assertThat(tokenizer.encode("CAFÉ, CT chest?")).containsExactly(2, 7, 8, 9, 10, 11, 3);
    }

    @Test
    void unknownWordsBecomeUnkAndLongTextsAreTruncated() {
        assertThat(tokenizer.encode("xyz")).containsExactly(2, 1, 3);
        assertThat(tokenizer.encode("a a a a a a a a a a"))
                .hasSize(8)
                .startsWith(2)
                .endsWith(3);
    }

    @Test
    void aTokenizerThatIsNotWordPieceIsRefusedAtLoad() {
        assertThatThrownBy(() -> WordPieceTokenizer.fromTokenizerJson(
                        new ByteArrayInputStream("{\"model\": {\"type\": \"BPE\"}}".getBytes(StandardCharsets.UTF_8)),
                        "bpe.json"))
                .isInstanceOf(ModelUnavailable.class)
                .hasMessageContaining("bpe.json")
                .hasMessageContaining("WordPiece");
        assertThatThrownBy(() -> WordPieceTokenizer.fromTokenizerJson(
                        new ByteArrayInputStream("not json".getBytes(StandardCharsets.UTF_8)), "broken.json"))
                .isInstanceOf(ModelUnavailable.class)
                .hasMessageContaining("broken.json");
    }

    @Test
    void minilmsVocabularyTokenisesAsBertDoes() {
        var minilm = WordPieceTokenizer.fromTokenizerJson(
                getClass().getClassLoader().getResourceAsStream(OnnxTextEmbedder.MINILM_TOKENIZER), "minilm");
        // [CLS] ct chest axial [SEP] in bert-base-uncased ids
        assertThat(minilm.encode("CT chest axial")).containsExactly(101, 14931, 3108, 26819, 102);
        assertThat(minilm.maxLength()).isEqualTo(128);
        assertThat(minilm.wordPieces("unaffable")).hasSizeGreaterThan(1);
        assertThat(List.of(minilm.encode("x".repeat(500)).length)).containsExactly(3);
    }
}
