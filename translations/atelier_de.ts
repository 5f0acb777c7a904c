<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>GalleryPanel</name>
    <message numerus="yes">
        <source>Move %n image(s) to the trash</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>These files could not be put back (their place is taken) and stay in the trash: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>GalleryTileDelegate</name>
    <message>
        <source>Rendering %1%</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>Open file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model library</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Atelier cannot start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Red</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Brown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Green</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Blue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pale blue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cyan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Purple</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Yellow</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Black</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access denied: this model needs an access token (add yours in Settings) or accepting its licence on the hub&apos;s page.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not found on the server: the link is wrong or the file was removed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server is limiting requests; try again in a few minutes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server refused the download.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server could not be reached: check the address and your connection.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The server stopped responding.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing was found there: check the path or the name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not something Atelier can install: give a model file, a folder, a link, or a Hugging Face id such as owner/name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>That repository holds several models: name one file (owner/name::file.safetensors).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Already in your library: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Atelier does not recognise this file as a model it can use.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not enough free disk space for this model.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The download is damaged: its checksum does not match the hub&apos;s. Try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Files could not be read or written: check permissions and free space.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The library could not be updated.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The model&apos;s settings were refused: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The install failed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not the same file as “%2” (its contents differ); install it as a new model instead.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot undo or redo this change: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not set</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Automatic (CUDA when available)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Automatic (fp16 on CUDA, fp32 on the CPU)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>fp32 (full)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>fp16 (half, CUDA)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>bf16 (bfloat16)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The desktop&apos;s (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Applies the next time Atelier starts</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>atelier::gallery::GalleryService</name>
    <message>
        <source>%1 is not a folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is already indexed as part of %2, or holds it.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>atelier::ui::AboutDialog</name>
    <message>
        <source>About Atelier</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(the engine is starting)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unavailable: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;h3&gt;Atelier %1&lt;/h3&gt;&lt;p&gt;A studio for Stable-Diffusion-family image models.&lt;/p&gt;&lt;table&gt;&lt;tr&gt;&lt;td&gt;Qt&lt;/td&gt;&lt;td&gt;%2 (built with %3)&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;libtorch&lt;/td&gt;&lt;td&gt;%4&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Devices&lt;/td&gt;&lt;td&gt;%5&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>atelier::ui::AddNodePopup</name>
    <message>
        <source>Search nodes…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>atelier::ui::DeleteModelsDialog</name>
    <message>
        <source>Delete “%1”</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Delete %n models</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>What should happen to “%1”?</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>What should happen to these %n models?</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Remove from the library only; the files stay where they are</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete the files too: %1 freed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Files outside the models folder are never deleted by Atelier; remove them yourself if you no longer need them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete files</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>atelier::ui::GalleryModel</name>
    <message>
        <source>Rendering…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>atelier::ui::GalleryPanel</name>
    <message>
        <source>Search prompts, models, LoRAs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Newest</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Oldest</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rating</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Steps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CFG</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sampler</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Thumbnail size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>indexing %1: %2 / %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Base model (of the models the library has)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LoRA</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starred only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Any model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Any base</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Any LoRA</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All folders</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Any time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Today</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Older than 30 days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Between…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Any rating</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Index another folder (another tool&apos;s outputs)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Images made between</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To (included)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Outputs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Move to trash</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>These files could not be moved to the trash and were left as they are:
%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Index a folder of images</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n image(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>searching…</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) could not be read</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compare the two</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open as graph</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use recipe</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Star</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No rating</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show in folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy path</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>atelier::ui::GraphEditor</name>
    <message>
        <source>New</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open workflow</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Workflows and images (*.json *.png)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save workflow</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Workflows (*.json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Redo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run to here</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select the nodes to run up to first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Runs only what the selected nodes need</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Untitled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Positive prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Negative prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>txt2img</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot read %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>there is no input folder to put %1 in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not an image Atelier can read: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot create the input folder %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no workflow is open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, up to %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seeds after queueing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queued (%1 ahead)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Running…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Running %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Step %1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 model missing: install…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 models missing: install…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Done: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The graph has errors (marked on the nodes); nothing ran</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed at node %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use recipe</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This graph has no widget for the recipe&apos;s settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Recipe used: %n setting(s) changed</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>atelier::ui::GraphScene</name>
    <message>
        <source>Add %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete node</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete %1 nodes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paste</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bypass</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Activate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Collapse</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expand</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Colour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Align</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cut link</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cut %1 links</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add reroute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Move link</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Link</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rename node</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Title:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rename</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No colour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bypass	Ctrl+B</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mute	Ctrl+M</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To the grid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Left edges</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Top edges</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Group	Ctrl+G</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete	Del</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete %1 nodes	Del</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rename group…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rename group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Colour group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select its nodes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove group (keep its nodes)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add node…	Tab</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Group selected nodes	Ctrl+G</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paste	Ctrl+V</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>atelier::ui::GraphView</name>
    <message>
        <source>%1 (a %2 model)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No loader node takes %1 yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Group</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>atelier::ui::GroupItem</name>
    <message>
        <source>Move group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resize group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rename group</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Title:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>atelier::ui::ImageInspector</name>
    <message>
        <source>Select an image, or drop a PNG here</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open as graph</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A new editor tab with the image&apos;s graph, or one built from its recipe</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use recipe</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Put the image&apos;s prompt, seed and settings into the graph being edited</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy the prompt, the seed or the whole recipe</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All, as A1111 text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save a copy with all, some or none of its metadata</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Negative prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text chunks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keyword</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no recipe</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not everything could be read:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text chunks (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not in the library</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Find and install…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Without metadata</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>With the recipe only (A1111 text, no graph)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>With all its metadata</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No image is selected.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>atelier::ui::ImageViewer</name>
    <message>
        <source>Image viewer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Previous (Left)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Next (Right)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fit to the window (F)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Actual pixels (1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Changed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Right</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 cannot be shown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(same words)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The recipes are the same.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1  ⟷  %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compare</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>atelier::ui::ImportLibraryDialog</name>
    <message>
        <source>Import models from other tools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Models in ComfyUI, A1111/Forge, InvokeAI and Stability Matrix folders are registered where they are: nothing is copied, and nothing in those folders is changed, so the other tools keep working. Names, trigger words and previews those tools saved come along.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In the library</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop after the model being hashed; what is registered stays, and the next import goes on from there</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What the import did is shown here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A ComfyUI, A1111, InvokeAI or Stability Matrix folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopping after the current model…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No ComfyUI, A1111/Forge, InvokeAI or Stability Matrix folder in the usual places: add one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Looking at %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 at %2%3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (with its model records)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing found yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Found: %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 models, %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Computing the full hash of %1 of %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Registering %1 of %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 registered, %2 already in the library, %3 duplicates, %4 failed%5%6</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>; %1 hashed in full</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (stopped: import again to go on)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Differs: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duplicate: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unread: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>atelier::ui::InstallJobModel</name>
    <message>
        <source>%1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · %1 left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Downloading</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Installing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Installed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Progress</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>atelier::ui::InstallQueuePanel</name>
    <message>
        <source>Pause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause the download</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Go on with the download</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop and throw away what was downloaded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start this install again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Details</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What exactly went wrong</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select the model in the library</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove this row</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Path, link, Civitai page or Hugging Face id (owner/name, owner/name:fp16, owner/name::vae)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Register local files in place</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checked: local files stay where they are and are only registered. Unchecked: they are copied into the models folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear finished</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drop model files, folders or links here to install them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Release to install</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Install failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source: %1
Error type: %2

%3</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>atelier::ui::LibraryPanel</name>
    <message>
        <source>The library could not be read: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search names, descriptions, tags, trigger words</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Date added</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sort by</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Descending order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Problems</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only models with missing files or duplicates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>List</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show as a list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Grid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show covers in a grid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All bases</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All types</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All formats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a tag filter…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading the library…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Problems (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove this filter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copies of %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Some models could not be deleted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Where is “%1” now?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model files (*.safetensors *.ckpt *.pt *.pth *.bin *.gguf);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Locate model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>add tag “%1” to %2 models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>add tag</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>remove tag “%1” from %2 models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>remove tag</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add tag</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tag for the selected models:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove tag</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tag to remove:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Details</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show in folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy hash</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Locate missing files…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show copies of this file</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Add tag to %n models…</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Add tag…</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Remove tag from %n models…</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Remove tag…</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Delete %n models…</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>atelier::ui::LibraryTableModel</name>
    <message>
        <source>Its files are missing: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duplicate: another model in the library has the same file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duplicate: %1 other models in the library have the same file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Base</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Format</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Added</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tags</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>atelier::ui::LossPlot</name>
    <message>
        <source>Training loss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The loss appears here as the steps run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>step %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>loss (line: running average)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>atelier::ui::MainWindow</name>
    <message>
        <source>Atelier</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Node graph</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The node-graph editor will appear here: wire loaders, prompts, samplers and decoders into a pipeline, run it, and open any Atelier or ComfyUI image back as its graph.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model library</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your installed models will be listed here: browse, search, filter by base and type, tag, inspect and delete.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Install queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drop model files, folders or links here to install them; downloads and installs show their progress here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gallery</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gallery and metadata</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Generated images will appear here, with the recipe stored in each image: prompts, seed, sampler, models.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Memory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Training</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Teach an aMUSEd model a style from your own captioned images: a LoRA or a whole new model, added to the library.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Training finished: the result is in the library</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Watched folders: %1 new, %2 missing, %3 found again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The imported folders will not be watched: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Import models from other tools…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Register the models of ComfyUI, A1111/Forge, InvokeAI and Stability Matrix where they are</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Port &amp;colours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>any type (reroutes, primitives)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Reset layout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About Atelier</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Device: starting the engine…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Engine unavailable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Device: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Node library</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Opened</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>History</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;New workflow</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Open workflow or image…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open workflow</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Workflows and images (*.json *.png)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open &amp;recent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save workflow &amp;as…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save workflow</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Workflows (*.json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Export API graph…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export API graph</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>API graphs (*.json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(none yet)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear the list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undo	Ctrl+Z</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Redo	Ctrl+Shift+Z</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undo %1	Ctrl+Z</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Redo %1	Ctrl+Shift+Z</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cut	Ctrl+X</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy	Ctrl+C</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paste	Ctrl+V</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paste with input links	Ctrl+Shift+V</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duplicate	Ctrl+D</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select all	Ctrl+A</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Frame selection	F</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The gallery cannot open its index: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open as graph</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 cannot be opened: the node editor is not ready</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;User guide</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Atelier user guide</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>atelier::ui::MemoryPanel</name>
    <message>
        <source>now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 s ago</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 min ago</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 h ago</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RAM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 + RAM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Part</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Where</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last used</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep loaded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Never evict the selected part, or move it off its GPU, to make room (&quot;Keep in VRAM&quot; for a part on a GPU)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drop the selected part from memory (not while a run uses it)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Free all</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drop every part no run is using</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep in VRAM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>in use</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>kept</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>idle</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 on %2, the rest in RAM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loaded partially: the device budget could not hold all of it beside the parts in use, so the layers that did not fit are copied in as they run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RAM: %1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2 of %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 load from disk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 loads from disk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 hit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 hits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 eviction</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 evictions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 moved to RAM</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 moved back</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>atelier::ui::Minimap</name>
    <message>
        <source>Click or drag to move the view</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>atelier::ui::MissingModelsDialog</name>
    <message>
        <source>Missing models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The graph needs models the library does not have. Install those the workflow says where to get, or look for the others in the library.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Asked by</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>node %1, %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>hash %1 (no download link given)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the workflow does not say</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Install</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Look up on Civitai</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Find in library</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sends the hash to Civitai, which says which model file it is; that file goes on the install queue and is checked against the hash when it arrives</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queued</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>atelier::ui::ModelDetailsPanel</name>
    <message>
        <source>Another model in the library has the same file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 other models in the library have the same file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Built-in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(not hashed)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (its full SHA-256 is still to be computed)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(not yet)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (changed %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy “%1”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A model needs a name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>rename to “%1”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>edit description</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>edit tags</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>set variant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>set prediction type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>set VAE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a model to see its details.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Redo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Undo %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The files of this model are missing.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Locate…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove from library</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show copies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Description:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>comma, separated, tags</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tags:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Trigger words:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(not set)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Variant:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prediction:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>VAE:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show in folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Path:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Also at:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hash:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Short hash:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Added:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remote metadata</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every field</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>atelier::ui::ModelTileDelegate</name>
    <message>
        <source>missing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>duplicate</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>atelier::ui::NodeItem</name>
    <message>
        <source>cached</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>queued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Collapse</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Expand</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Change %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Move</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rename node</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Title:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rename</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(nothing to choose from)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>atelier::ui::NodeLibraryPanel</name>
    <message>
        <source>Search nodes…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>other</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>atelier::ui::OptionPicker</name>
    <message>
        <source>Search…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All bases</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(nothing to choose from)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(no match)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>atelier::ui::PromptEditor</name>
    <message>
        <source>&lt;span style=&apos;color:#ffb74d&apos;&gt;(emphasis)&lt;/span&gt; · &lt;span style=&apos;color:#90a4ae&apos;&gt;[less]&lt;/span&gt; · (word:&lt;b style=&apos;color:#ff8a65&apos;&gt;1.2&lt;/b&gt;) · &lt;span style=&apos;color:#4dd0e1&apos;&gt;embedding:name&lt;/span&gt; · &lt;span style=&apos;color:#81c784&apos;&gt;&lt;b&gt;BREAK&lt;/b&gt;&lt;/span&gt;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>atelier::ui::RunQueuePanel</name>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drops a waiting run, or cancels the one running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Move up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drops every waiting run; the one running goes on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>running %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>step %1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>#%1  %2 — %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>atelier::ui::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Automatic (half the memory less 2 GB)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Automatic (the card&apos;s memory less 3 GB)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Node outputs kept between graph runs, so that only what changed runs again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Register dropped local models where they are (instead of copying them into the models folder)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save each image&apos;s recipe in it (prompt, settings, model names and hashes; never file paths)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>$HF_ENDPOINT, else https://huggingface.co</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tokens are stored in %1, readable only by you.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Models folder:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compute device:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Precision:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model cache in memory:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model cache on the GPU:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download cache:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parallel downloads:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Graph outputs kept:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Graph output memory:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hugging Face address:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Civitai address:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hugging Face token:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Civitai token:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (not available)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Models folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>atelier::ui::TrainingPanel</name>
    <message>
        <source>Choose a folder of captioned images and a model, then Start.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Validation images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Validation images (newest first)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Encoding the training images and captions …</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Step %1 of %2 · loss %3 (average %4) · %5 steps/s · %6 left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Training failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A folder of PNG images with captions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose …</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the images folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Images:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Model:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The result&apos;s name in the library</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LoRA (small file, on top of the model)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Whole model (a new model)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Train:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LoRA &amp;rank:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Steps:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Learning rate:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Batch:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Batches whose gradients add up to one step: a larger effective batch in the same memory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Accumulate:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>See&amp;d:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Checkpoint every:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>One prompt per line, drawn as training goes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Validation:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>at the end</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Validate &amp;every:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop after this step with a checkpoint; Resume goes on from it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No aMUSEd model in the library: install one (amused/amused-256)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Training images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This folder does not exist.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>a .txt beside each image</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n PNG image(s); captions from %1</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Choose the folder of training images.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the aMUSEd model to start from.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give the result a name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resuming from the last checkpoint …</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Starting …</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pausing after this step …</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopping after this step …</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>step %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Step %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n image(s) skipped: %1</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Trained on %n image(s) in %1 steps: &quot;%2&quot; is in the library.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Paused at step %1; Resume goes on from its checkpoint.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopped at step %1; Resume goes on from its checkpoint in %2.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
