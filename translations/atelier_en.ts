<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>ComputeChoice</name>
    <message numerus="yes">
        <source>CPU (%n thread(s))</source>
        <translation>
            <numerusform>CPU (%n thread)</numerusform>
            <numerusform>CPU (%n threads)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>GalleryPanel</name>
    <message numerus="yes">
        <source>Move %n image(s) to the trash</source>
        <translation>
            <numerusform>Move %n image to the trash</numerusform>
            <numerusform>Move %n images to the trash</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>atelier::ui::DeleteModelsDialog</name>
    <message numerus="yes">
        <source>Delete %n models</source>
        <translation>
            <numerusform>Delete %n model</numerusform>
            <numerusform>Delete %n models</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>What should happen to these %n models?</source>
        <translation>
            <numerusform>What should happen to this %n model?</numerusform>
            <numerusform>What should happen to these %n models?</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>atelier::ui::GalleryPanel</name>
    <message numerus="yes">
        <source>%n image(s)</source>
        <translation>
            <numerusform>%n image</numerusform>
            <numerusform>%n images</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) could not be read</source>
        <translation>
            <numerusform>%n file could not be read</numerusform>
            <numerusform>%n files could not be read</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>atelier::ui::GraphEditor</name>
    <message numerus="yes">
        <source>%n model(s) missing: install…</source>
        <translation>
            <numerusform>%n model missing: install…</numerusform>
            <numerusform>%n models missing: install…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Recipe used: %n setting(s) changed</source>
        <translation>
            <numerusform>Recipe used: %n setting changed</numerusform>
            <numerusform>Recipe used: %n settings changed</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>atelier::ui::GraphScene</name>
    <message numerus="yes">
        <source>Delete %n nodes</source>
        <translation>
            <numerusform>Delete %n node</numerusform>
            <numerusform>Delete %n nodes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Cut %n links</source>
        <translation>
            <numerusform>Cut %n link</numerusform>
            <numerusform>Cut %n links</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Delete %n nodes	Del</source>
        <translation>
            <numerusform>Delete %n node	Del</numerusform>
            <numerusform>Delete %n nodes	Del</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>atelier::ui::ImportLibraryDialog</name>
    <message numerus="yes">
        <source>%n model(s), %1</source>
        <translation>
            <numerusform>%n model, %1</numerusform>
            <numerusform>%n models, %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n registered</source>
        <translation>
            <numerusform>%n registered</numerusform>
            <numerusform>%n registered</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n already in the library</source>
        <translation>
            <numerusform>%n already in the library</numerusform>
            <numerusform>%n already in the library</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n duplicate(s)</source>
        <translation>
            <numerusform>%n duplicate</numerusform>
            <numerusform>%n duplicates</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n failed</source>
        <translation>
            <numerusform>%n failed</numerusform>
            <numerusform>%n failed</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n hashed in full</source>
        <translation>
            <numerusform>%n hashed in full</numerusform>
            <numerusform>%n hashed in full</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>atelier::ui::LibraryPanel</name>
    <message numerus="yes">
        <source>%Ln model(s)</source>
        <translation>
            <numerusform>%Ln model</numerusform>
            <numerusform>%Ln models</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>add tag “%1” to %n model(s)</source>
        <translation>
            <numerusform>add tag “%1” to %n model</numerusform>
            <numerusform>add tag “%1” to %n models</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>remove tag “%1” from %n model(s)</source>
        <translation>
            <numerusform>remove tag “%1” from %n model</numerusform>
            <numerusform>remove tag “%1” from %n models</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Add tag to %n models…</source>
        <translation>
            <numerusform>Add tag to %n model…</numerusform>
            <numerusform>Add tag to %n models…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Remove tag from %n models…</source>
        <translation>
            <numerusform>Remove tag from %n model…</numerusform>
            <numerusform>Remove tag from %n models…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Delete %n models…</source>
        <translation>
            <numerusform>Delete %n model…</numerusform>
            <numerusform>Delete %n models…</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>atelier::ui::LibraryTableModel</name>
    <message numerus="yes">
        <source>Duplicate: %n other model(s) in the library have the same file</source>
        <translation>
            <numerusform>Duplicate: %n other model in the library has the same file</numerusform>
            <numerusform>Duplicate: %n other models in the library have the same file</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>atelier::ui::MemoryPanel</name>
    <message numerus="yes">
        <source>%Ln load(s) from disk</source>
        <translation>
            <numerusform>%Ln load from disk</numerusform>
            <numerusform>%Ln loads from disk</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln hit(s)</source>
        <translation>
            <numerusform>%Ln hit</numerusform>
            <numerusform>%Ln hits</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln eviction(s)</source>
        <translation>
            <numerusform>%Ln eviction</numerusform>
            <numerusform>%Ln evictions</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln moved to RAM</source>
        <translation>
            <numerusform>%Ln moved to RAM</numerusform>
            <numerusform>%Ln moved to RAM</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln moved back</source>
        <translation>
            <numerusform>%Ln moved back</numerusform>
            <numerusform>%Ln moved back</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>atelier::ui::ModelDetailsPanel</name>
    <message numerus="yes">
        <source>%n other model(s) in the library have the same file.</source>
        <translation>
            <numerusform>%n other model in the library has the same file.</numerusform>
            <numerusform>%n other models in the library have the same file.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>atelier::ui::TrainingPanel</name>
    <message numerus="yes">
        <source>%n PNG image(s); captions from %1</source>
        <translation>
            <numerusform>%n PNG image; captions from %1</numerusform>
            <numerusform>%n PNG images; captions from %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n image(s) skipped: %1</source>
        <translation>
            <numerusform>%n image skipped: %1</numerusform>
            <numerusform>%n images skipped: %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Trained on %n image(s) in %1 steps: &quot;%2&quot; is in the library.</source>
        <translation>
            <numerusform>Trained on %n image in %1 steps: &quot;%2&quot; is in the library.</numerusform>
            <numerusform>Trained on %n images in %1 steps: &quot;%2&quot; is in the library.</numerusform>
        </translation>
    </message>
</context>
</TS>
