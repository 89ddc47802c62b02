package io.warden.clinical.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluation command on a tiny labelled set whose answers are known. */
class EvaluationCommandTests {

    @TempDir
    Path folder;

    @Test
    void reportsRecallPrecisionAndVoteAccuracy() throws Exception {
        // base: two points per axis label; queries: one near x (labelled x), one near y but labelled x
        Files.write(
                folder.resolve("base.npy"),
                VectorFilesTests.npy(
                        "<f4", "(4, 2)", false, VectorFilesTests.floats(1, 0, 0.9f, 0.1f, 0, 1, 0.1f, 0.9f)));
        Files.writeString(folder.resolve("base.json"), "[\"x\", \"x\", \"y\", \"y\"]");
        Files.write(
                folder.resolve("queries.npy"),
                VectorFilesTests.npy("<f4", "(2, 2)", false, VectorFilesTests.floats(1, 0.05f, 0.05f, 1)));
        Files.writeString(folder.resolve("queries.json"), "[\"x\", \"x\"]");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = EvaluationCommand.run(
                new String[] {
                    "--base",
                    folder.resolve("base.npy").toString(),
                    "--base-labels",
                    folder.resolve("base.json").toString(),
                    "--queries",
                    folder.resolve("queries.npy").toString(),
                    "--query-labels",
                    folder.resolve("queries.json").toString(),
                    "--kind",
                    "FLAT",
                    "--k",
                    "3"
                },
                new PrintStream(out),
                new PrintStream(new ByteArrayOutputStream()));
        assertThat(status).isZero();
        String report = out.toString();
        // query 1: x, x, y -> P@1 1, P@3 2/3, vote x; query 2: y, y, x -> P@1 0, P@3 1/3, vote y (wrong)
        assertThat(report)
                .contains("\"p_at_1\": 0.5000")
                .contains("\"p_at_3\": 0.5000")
                .contains("\"top1_vote_accuracy\": 0.5000")
                .contains("\"top3_vote_accuracy\": 0.5000")
                .contains("\"recall_at_3\": 1.0000");
    }

    @Test
    void missingOrMismatchedInputIsAUsageError() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(EvaluationCommand.run(
                        new String[] {"--base", "x.npy"},
                        new PrintStream(new ByteArrayOutputStream()),
                        new PrintStream(err)))
                .isEqualTo(2);
        assertThat(err.toString()).contains("missing --base-labels");
        Files.write(
                folder.resolve("base.npy"),
                VectorFilesTests.npy("<f4", "(1, 2)", false, VectorFilesTests.floats(1, 0)));
        Files.writeString(folder.resolve("labels.json"), "[\"a\", \"b\"]");
        err.reset();
        assertThat(EvaluationCommand.run(
                        new String[] {
                            "--base",
                            folder.resolve("base.npy").toString(),
                            "--base-labels",
                            folder.resolve("labels.json").toString(),
                            "--queries",
                            folder.resolve("base.npy").toString(),
                            "--query-labels",
                            folder.resolve("labels.json").toString()
                        },
                        new PrintStream(new ByteArrayOutputStream()),
                        new PrintStream(err)))
                .isEqualTo(2);
        assertThat(err.toString()).contains("1 labels");
    }
}
