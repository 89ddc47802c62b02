package io.warden.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Labelled radiology-report sentences for the collections benchmark, generated from a seed: the same seed gives the
 * same sentences. Each of ten findings has several phrasings whose slots (side, site, size, change, modality, an
 * unrelated trailing remark) are drawn at random, so that a 10,000-item collection holds few exact repeats and its
 * neighbours are not trivially identical texts. Written for Warden; no patient's words.
 */
final class Sentences {

    record Labelled(String text, String label) {}

    private static final String[] SIDES = {"left", "right", "bilateral"};
    private static final String[] LOBES = {
        "upper lobe", "lower lobe", "middle lobe", "lingula", "apex", "base", "perihilar region", "costophrenic angle"
    };
    private static final String[] SIZES = {"small", "moderate", "large", "trace", "subtle", "extensive"};
    private static final String[] CHANGES = {
        "new since the prior study",
        "unchanged from the prior study",
        "slightly increased",
        "decreased compared with" + " the previous film",
        "not seen on the earlier examination",
        "stable over three months"
    };
    private static final String[] MODALITIES = {"chest radiograph", "CT", "portable film", "frontal view", "CT scan"};
    private static final String[] BONES = {
        "distal radius",
        "femoral neck",
        "left sixth rib",
        "right clavicle",
        "L1 vertebral body",
        "tibial plateau",
        "scaphoid",
        "proximal humerus"
    };
    private static final String[] REMARKS = {
        "",
        "",
        " Lines and tubes are in satisfactory position.",
        " Clinical correlation is advised.",
        " Comparison is made with the prior study.",
        " The osseous structures are otherwise intact.",
        " Recommend follow-up imaging.",
        " Findings were discussed with the referring team."
    };

    private static final String[][] TEMPLATES = {
        {
            "pneumothorax",
            "There is a %size% %side% pneumothorax, %change%.",
            "%modality% shows a %side% apical pneumothorax with a visible pleural line.",
            "Collapsed %side% lung with air in the pleural space, %change%.",
            "A %size% pneumothorax is present at the %side% %lobe%."
        },
        {
            "pleural-effusion",
            "%size% %side% pleural effusion, %change%.",
            "Blunting of the %side% costophrenic angle consistent with a %size% effusion.",
            "%modality% demonstrates fluid layering in the %side% pleural space.",
            "Meniscus sign at the %side% base in keeping with pleural fluid, %change%."
        },
        {
            "consolidation",
            "Airspace consolidation in the %side% %lobe%, %change%.",
            "%modality% shows dense opacity with air bronchograms in the %side% %lobe%.",
            "Patchy %size% consolidation at the %side% %lobe% suggesting pneumonia.",
            "Lobar opacification of the %side% %lobe% compatible with infection."
        },
        {
            "cardiomegaly",
            "The cardiac silhouette is enlarged, %change%.",
            "Cardiomegaly with a cardiothoracic ratio above one half on the %modality%.",
            "%size% enlargement of the heart shadow.",
            "The heart is enlarged; the mediastinal contours are otherwise normal."
        },
        {
            "pulmonary-nodule",
            "A %size% nodule in the %side% %lobe%, %change%.",
            "%modality% shows a well defined pulmonary nodule in the %side% %lobe%.",
            "Solitary rounded opacity in the %side% %lobe%, likely a nodule.",
            "Spiculated nodule at the %side% %lobe% measuring several millimetres."
        },
        {
            "fracture",
            "Fracture of the %bone%, %change%.",
            "%modality% shows a displaced fracture of the %bone%.",
            "Cortical break through the %bone% consistent with an acute fracture.",
            "Non-displaced fracture line across the %bone%."
        },
        {
            "pulmonary-oedema",
            "Interstitial oedema with Kerley B lines at both bases, %change%.",
            "%modality% shows upper lobe venous diversion and perihilar haze.",
            "%size% alveolar oedema in a bat-wing distribution.",
            "Vascular congestion and septal thickening in keeping with fluid overload."
        },
        {
            "intracranial-haemorrhage",
            "Acute %size% subdural haematoma over the %side% convexity.",
            "CT head shows hyperdense blood in the %side% basal ganglia.",
            "Subarachnoid blood in the %side% sylvian fissure, %change%.",
            "Intraparenchymal haemorrhage in the %side% frontal lobe with surrounding oedema."
        },
        {
            "atelectasis",
            "Linear atelectasis at the %side% %lobe%, %change%.",
            "%modality% shows plate-like collapse of the %side% %lobe%.",
            "Volume loss of the %side% %lobe% from subsegmental atelectasis.",
            "%size% bibasal atelectatic change."
        },
        {
            "normal",
            "The lungs are clear; no acute cardiopulmonary abnormality on the %modality%.",
            "No pneumothorax, effusion or focal consolidation.",
            "Normal heart size and clear lung fields.",
            "Unremarkable %modality% with no acute finding."
        }
    };

    private Sentences() {}

    /** {@code count} labelled sentences, the labels in turn so that every label has its share. */
    static List<Labelled> generate(int count, long seed) {
        Random random = new Random(seed);
        List<Labelled> sentences = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String[] finding = TEMPLATES[i % TEMPLATES.length];
            String template = finding[1 + random.nextInt(finding.length - 1)];
            sentences.add(new Labelled(fill(template, random), finding[0]));
        }
        return sentences;
    }

    /** Query texts drawn like the collection's, from another seed. */
    static List<String> queries(int count, long seed) {
        return generate(count, seed).stream().map(Labelled::text).toList();
    }

    private static String fill(String template, Random random) {
        String text = template.replace("%side%", pick(SIDES, random))
                .replace("%lobe%", pick(LOBES, random))
                .replace("%size%", pick(SIZES, random))
                .replace("%change%", pick(CHANGES, random))
                .replace("%modality%", pick(MODALITIES, random))
                .replace("%bone%", pick(BONES, random));
        text = Character.toUpperCase(text.charAt(0)) + text.substring(1);
        return text + pick(REMARKS, random);
    }

    private static String pick(String[] choices, Random random) {
        return choices[random.nextInt(choices.length)];
    }
}
