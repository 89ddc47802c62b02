package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Source conventions the formatter cannot check: code names a type by its simple name and imports it. A fully
 * qualified name in code is allowed only where the simple name is already taken in that file (another import or
 * a type the file declares), which is the one case the language needs it.
 */
class SourceConventionsTests {

    private static final Pattern QUALIFIED =
            Pattern.compile("(?<![\\w.])((?:java|javax|jakarta|org|com|io|net|dev|ai|tools|ca|reactor|software)"
                    + "(?:\\.[a-z_][a-z0-9_]*)+)\\.([A-Z]\\w*)");
    private static final Pattern IMPORT = Pattern.compile("(?m)^import\\s+(?:static\\s+)?([\\w.]+)\\s*;");
    private static final Pattern DECLARED =
            Pattern.compile("\\b(?:class|interface|record|enum|@interface)\\s+([A-Z]\\w*)");

    @Test
    void codeImportsTypesInsteadOfQualifyingThemInline() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        List<String> found = new ArrayList<>();
        int files = 0;
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path file :
                    paths.filter(SourceConventionsTests::isProjectSource).toList()) {
                files++;
                found.addAll(inlineQualifiedNames(root, file));
            }
        }
        assertThat(files).as("Java sources found under %s", root).isGreaterThan(500);
        assertThat(found).as("inline fully qualified type names (import them)").isEmpty();
    }

    @Test
    void theCheckFindsAnInlineNameAndAllowsAClash() {
        String offending = "package a;\nimport java.util.List;\nclass A { java.util.Map<String, String> m; }\n";
        String clash = "package a;\nimport java.util.List;\nclass A { java.awt.List l; List<String> s; }\n";
        String quoted = "package a;\nclass A { String s = \"java.util.Map\"; // java.util.Set\n }\n";
        assertThat(inlineQualifiedNames(offending)).containsExactly("java.util.Map");
        assertThat(inlineQualifiedNames(clash)).isEmpty();
        assertThat(inlineQualifiedNames(quoted)).isEmpty();
    }

    private static boolean isProjectSource(Path path) {
        String unix = path.toString().replace('\\', '/');
        return unix.endsWith(".java")
                && (unix.contains("/src/main/java/") || unix.contains("/src/test/java/"))
                && !unix.contains("/target/")
                && !unix.contains("/node_modules/")
                && !unix.contains("/.git/");
    }

    private static List<String> inlineQualifiedNames(Path root, Path file) {
        try {
            return inlineQualifiedNames(Files.readString(file, StandardCharsets.UTF_8)).stream()
                    .map(name -> root.relativize(file) + ": " + name)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> inlineQualifiedNames(String source) {
        String code = withoutCommentsAndLiterals(source);
        Set<String> taken = new HashSet<>();
        Matcher imports = IMPORT.matcher(code);
        while (imports.find()) {
            String imported = imports.group(1);
            taken.add(imported.substring(imported.lastIndexOf('.') + 1));
        }
        Matcher declared = DECLARED.matcher(code);
        while (declared.find()) {
            taken.add(declared.group(1));
        }
        List<String> found = new ArrayList<>();
        for (String line : code.split("\n", -1)) {
            String trimmed = line.strip();
            if (trimmed.startsWith("package ") || trimmed.startsWith("import ")) {
                continue;
            }
            Matcher qualified = QUALIFIED.matcher(line);
            while (qualified.find()) {
                String simple = qualified.group(2);
                String name = qualified.group(1) + "." + simple;
                if (!taken.contains(simple) || isImported(code, name)) {
                    found.add(name);
                }
            }
        }
        return found;
    }

    private static boolean isImported(String code, String name) {
        return Pattern.compile("(?m)^import\\s+" + Pattern.quote(name) + "\\s*;")
                .matcher(code)
                .find();
    }

    /** Blanks comments, string, text-block and character literals, keeping line breaks. */
    static String withoutCommentsAndLiterals(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int i = 0;
        int n = source.length();
        while (i < n) {
            char c = source.charAt(i);
            if (source.startsWith("//", i)) {
                while (i < n && source.charAt(i) != '\n') {
                    i++;
                }
            } else if (source.startsWith("/*", i)) {
                int end = source.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                blank(source, i, end, out);
                i = end;
            } else if (source.startsWith("\"\"\"", i)) {
                int end = source.indexOf("\"\"\"", i + 3);
                end = end < 0 ? n : end + 3;
                blank(source, i, end, out);
                i = end;
            } else if (c == '"' || c == '\'') {
                int end = i + 1;
                while (end < n && source.charAt(end) != c && source.charAt(end) != '\n') {
                    end += source.charAt(end) == '\\' ? 2 : 1;
                }
                end = Math.min(end + 1, n);
                blank(source, i, end, out);
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static void blank(String source, int from, int to, StringBuilder out) {
        for (int j = from; j < to; j++) {
            out.append(source.charAt(j) == '\n' ? '\n' : ' ');
        }
    }
}
