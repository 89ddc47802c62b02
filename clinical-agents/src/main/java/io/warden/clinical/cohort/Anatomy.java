package io.warden.clinical.cohort;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The body regions a series is filed under, each with the words that name it in DICOM's BodyPartExamined
 * defined terms and in the descriptions radiographers type, and the label text an image model is asked about.
 * The order is the precedence when a description names two regions: the more specific first ("T-SPINE" is
 * the spine, not the chest).
 */
public enum Anatomy {
    SPINE(
            "spine",
            "SPINE",
            "CSPINE",
            "TSPINE",
            "LSPINE",
            "C-SPINE",
            "T-SPINE",
            "L-SPINE",
            "LUMBAR",
            "SACRUM",
            "COCCYX",
            "CERVICAL SPINE",
            "THORACIC SPINE",
            "LUMBAR SPINE",
            "VERTEBRA",
            "DISC"),
    HEAD(
            "head and brain",
            "HEAD",
            "BRAIN",
            "SKULL",
            "CEREBRAL",
            "CRANIAL",
            "ORBIT",
            "ORBITS",
            "SINUS",
            "SINUSES",
            "IAC",
            "PITUITARY",
            "FACE",
            "MAXILLOFACIAL",
            "TEMPORAL BONE",
            "NEURO",
            "HEAD NECK"),
    NECK("neck", "NECK", "THYROID", "LARYNX", "PHARYNX", "CAROTID", "CAROTIDS", "SOFT TISSUE NECK"),
    HEART("heart", "HEART", "CARDIAC", "CORONARY", "CORONARIES", "MYOCARDIUM", "AORTIC VALVE"),
    BREAST("breast", "BREAST", "BREASTS", "MAMMO", "MAMMOGRAPHY"),
    CHEST("chest and lungs", "CHEST", "THORAX", "LUNG", "LUNGS", "PULMONARY", "THORACIC", "PE PROTOCOL"),
    ABDOMEN_PELVIS("abdomen and pelvis", "ABDOMENPELVIS", "ABD PELVIS", "ABDOMEN PELVIS", "ABD PEL", "A P"),
    ABDOMEN(
            "abdomen",
            "ABDOMEN",
            "ABD",
            "LIVER",
            "PANCREAS",
            "KIDNEY",
            "KIDNEYS",
            "RENAL",
            "SPLEEN",
            "ADRENAL",
            "GALLBLADDER",
            "MRCP",
            "BOWEL",
            "ENTEROGRAPHY"),
    PELVIS("pelvis", "PELVIS", "PELVIC", "PROSTATE", "BLADDER", "UTERUS", "OVARY", "OVARIES", "RECTUM"),
    UPPER_LIMB(
            "upper limb",
            "SHOULDER",
            "ARM",
            "HUMERUS",
            "ELBOW",
            "FOREARM",
            "WRIST",
            "HAND",
            "FINGER",
            "UPPER EXTREMITY"),
    LOWER_LIMB(
            "lower limb",
            "HIP",
            "FEMUR",
            "THIGH",
            "KNEE",
            "LEG",
            "TIBIA",
            "FIBULA",
            "ANKLE",
            "FOOT",
            "TOE",
            "LOWER EXTREMITY"),
    WHOLE_BODY("whole body", "WHOLEBODY", "WHOLE BODY", "WB", "TOTAL BODY", "SKULL BASE TO THIGH");

    private final String words;
    private final List<String> terms;

    Anatomy(String words, String... terms) {
        this.words = words;
        this.terms = List.of(terms);
    }

    /** The region in plain words, as descriptions and label texts use it. */
    public String words() {
        return words;
    }

    /** The text an image model compares a slice with in zero-shot classification. */
    public String labelText(String modality) {
        return "a " + modality + " image of the " + words;
    }

    /**
     * The region named in {@code text}, matched as whole words or word pairs after upper-casing and
     * splitting on anything but letters and digits (so {@code "Ax T2 FLAIR brain"} and {@code "CT_ABD_PELVIS"}
     * both match); the first region in precedence order wins.
     *
     * @return the region and the term that decided it
     */
    public static Optional<Match> find(String text) {
        String normalised = " "
                + String.join(" ", text.toUpperCase(Locale.ROOT).split("[^A-Z0-9]+"))
                        .trim() + " ";
        String joined = normalised.replace(" ", "");
        for (Anatomy region : values()) {
            for (String term : region.terms) {
                String wanted = " " + String.join(" ", term.split("[^A-Z0-9]+")) + " ";
                if (normalised.contains(wanted) || (term.contains("-") && joined.contains(term.replace("-", "")))) {
                    return Optional.of(new Match(region, term));
                }
            }
        }
        return Optional.empty();
    }

    /** A region and the term that named it. */
    public record Match(Anatomy region, String term) {}
}
