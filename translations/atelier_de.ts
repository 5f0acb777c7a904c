<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>ComputeChoice</name>
    <message numerus="yes">
        <source>CPU (%n thread(s))</source>
        <translation>
            <numerusform>CPU (%n Thread)</numerusform>
            <numerusform>CPU (%n Threads)</numerusform>
        </translation>
    </message>
    <message>
        <source>CUDA was chosen in the settings, but no CUDA device is available; using the CPU.</source>
        <translation>In den Einstellungen ist CUDA gewählt, aber kein CUDA-Gerät ist verfügbar; die CPU wird verwendet.</translation>
    </message>
    <message>
        <source>%1 was chosen in the settings, but it is not available; using the CPU.</source>
        <translation>In den Einstellungen ist %1 gewählt, aber nicht verfügbar; die CPU wird verwendet.</translation>
    </message>
    <message>
        <source>fp16 is only used on CUDA devices; the CPU computes in fp32.</source>
        <translation>fp16 wird nur auf CUDA-Geräten verwendet; die CPU rechnet in fp32.</translation>
    </message>
</context>
<context>
    <name>GalleryPanel</name>
    <message numerus="yes">
        <source>Move %n image(s) to the trash</source>
        <translation>
            <numerusform>%n Bild in den Papierkorb verschieben</numerusform>
            <numerusform>%n Bilder in den Papierkorb verschieben</numerusform>
        </translation>
    </message>
    <message>
        <source>These files could not be put back (their place is taken) and stay in the trash: %1</source>
        <translation>Diese Dateien konnten nicht zurückgelegt werden (ihr Platz ist belegt) und bleiben im Papierkorb: %1</translation>
    </message>
</context>
<context>
    <name>GalleryTileDelegate</name>
    <message>
        <source>Rendering %1%</source>
        <translation>Wird gerendert: %1%</translation>
    </message>
</context>
<context>
    <name>NodeCategory</name>
    <message>
        <source>_for_testing</source>
        <translation>_zum_Testen</translation>
    </message>
    <message>
        <source>advanced</source>
        <translation>erweitert</translation>
    </message>
    <message>
        <source>amused</source>
        <translation>aMUSEd</translation>
    </message>
    <message>
        <source>conditioning</source>
        <translation>Konditionierung</translation>
    </message>
    <message>
        <source>image</source>
        <translation>Bild</translation>
    </message>
    <message>
        <source>inpaint</source>
        <translation>Inpainting</translation>
    </message>
    <message>
        <source>latent</source>
        <translation>Latent</translation>
    </message>
    <message>
        <source>loaders</source>
        <translation>Loader</translation>
    </message>
    <message>
        <source>mask</source>
        <translation>Maske</translation>
    </message>
    <message>
        <source>sampling</source>
        <translation>Sampling</translation>
    </message>
    <message>
        <source>upscaling</source>
        <translation>Hochskalieren</translation>
    </message>
    <message>
        <source>utils</source>
        <translation>Werkzeuge</translation>
    </message>
    <message>
        <source>other</source>
        <translation>Sonstige</translation>
    </message>
    <message>
        <source>batch</source>
        <translation>Batch</translation>
    </message>
</context>
<context>
    <name>NodeChoice</name>
    <message>
        <source>fixed</source>
        <translation>fest</translation>
    </message>
    <message>
        <source>increment</source>
        <translation>erhöhen</translation>
    </message>
    <message>
        <source>decrement</source>
        <translation>verringern</translation>
    </message>
    <message>
        <source>randomize</source>
        <translation>zufällig</translation>
    </message>
    <message>
        <source>true</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>false</source>
        <translation>nein</translation>
    </message>
</context>
<context>
    <name>NodeDefinition</name>
    <message>
        <source>KSampler</source>
        <translation>KSampler</translation>
    </message>
    <message>
        <source>KSampler (Advanced)</source>
        <translation>KSampler (erweitert)</translation>
    </message>
    <message>
        <source>Load Checkpoint</source>
        <translation>Checkpoint laden</translation>
    </message>
    <message>
        <source>Load VAE</source>
        <translation>VAE laden</translation>
    </message>
    <message>
        <source>Load LoRA</source>
        <translation>LoRA laden</translation>
    </message>
    <message>
        <source>CLIP Text Encode (Prompt)</source>
        <translation>CLIP-Textkodierung (Prompt)</translation>
    </message>
    <message>
        <source>CLIP Set Last Layer</source>
        <translation>Letzte CLIP-Schicht festlegen</translation>
    </message>
    <message>
        <source>Conditioning (Combine)</source>
        <translation>Konditionierung (kombinieren)</translation>
    </message>
    <message>
        <source>Conditioning (Average)</source>
        <translation>Konditionierung (mitteln)</translation>
    </message>
    <message>
        <source>Conditioning (Concat)</source>
        <translation>Konditionierung (verketten)</translation>
    </message>
    <message>
        <source>Conditioning (Set Area)</source>
        <translation>Konditionierung (Bereich festlegen)</translation>
    </message>
    <message>
        <source>Empty Latent Image</source>
        <translation>Leeres Latent-Bild</translation>
    </message>
    <message>
        <source>VAE Decode</source>
        <translation>VAE-Dekodierung</translation>
    </message>
    <message>
        <source>VAE Encode</source>
        <translation>VAE-Kodierung</translation>
    </message>
    <message>
        <source>VAE Decode (Tiled)</source>
        <translation>VAE-Dekodierung (gekachelt)</translation>
    </message>
    <message>
        <source>VAE Encode (Tiled)</source>
        <translation>VAE-Kodierung (gekachelt)</translation>
    </message>
    <message>
        <source>VAE Encode (for Inpainting)</source>
        <translation>VAE-Kodierung (für Inpainting)</translation>
    </message>
    <message>
        <source>Set Latent Noise Mask</source>
        <translation>Latent-Rauschmaske festlegen</translation>
    </message>
    <message>
        <source>Upscale Latent</source>
        <translation>Latent hochskalieren</translation>
    </message>
    <message>
        <source>Upscale Latent By</source>
        <translation>Latent hochskalieren um Faktor</translation>
    </message>
    <message>
        <source>Latent From Batch</source>
        <translation>Latent aus Batch</translation>
    </message>
    <message>
        <source>Repeat Latent Batch</source>
        <translation>Latent-Batch wiederholen</translation>
    </message>
    <message>
        <source>Upscale Image</source>
        <translation>Bild hochskalieren</translation>
    </message>
    <message>
        <source>Upscale Image By</source>
        <translation>Bild hochskalieren um Faktor</translation>
    </message>
    <message>
        <source>Invert Image</source>
        <translation>Bild invertieren</translation>
    </message>
    <message>
        <source>Batch Images</source>
        <translation>Bilder bündeln</translation>
    </message>
    <message>
        <source>Load Image</source>
        <translation>Bild laden</translation>
    </message>
    <message>
        <source>Load Image (as Mask)</source>
        <translation>Bild laden (als Maske)</translation>
    </message>
    <message>
        <source>Primitive</source>
        <translation>Primitivwert</translation>
    </message>
    <message>
        <source>Markdown Note</source>
        <translation>Markdown-Notiz</translation>
    </message>
    <message>
        <source>Loads a diffusion model checkpoint from the library.</source>
        <translation>Lädt einen Checkpoint eines Diffusionsmodells aus der Bibliothek.</translation>
    </message>
    <message>
        <source>Load Checkpoint With Config (DEPRECATED)</source>
        <translation>Checkpoint mit Konfiguration laden (VERALTET)</translation>
    </message>
    <message>
        <source>LoraLoaderModelOnly</source>
        <translation>LoRA laden (nur Modell)</translation>
    </message>
    <message>
        <source>Encodes a prompt for each of SDXL&apos;s text encoders (text_l for CLIP-L, text_g for OpenCLIP-G) with the size conditioning: the size the image is said to come from, its crop, and the size it is made at.</source>
        <translation>Kodiert einen Prompt für jeden der Textkodierer von SDXL (text_l für CLIP-L, text_g für OpenCLIP-G) mit der Größenkonditionierung: der angeblichen Ursprungsgröße des Bildes, seinem Zuschnitt und der Größe, in der es erzeugt wird.</translation>
    </message>
    <message>
        <source>Encodes a prompt for the SDXL refiner with its aesthetic score (ascore: about 6 for a positive prompt, 2.5 for a negative one) and the size the image is said to come from.</source>
        <translation>Kodiert einen Prompt für den SDXL-Refiner mit seinem Ästhetik-Wert (ascore: etwa 6 für einen positiven Prompt, 2,5 für einen negativen) und der angeblichen Ursprungsgröße des Bildes.</translation>
    </message>
    <message>
        <source>Uses the provided model, positive and negative conditioning to denoise the latent image.</source>
        <translation>Entrauscht das Latent-Bild mit dem übergebenen Modell und der positiven und negativen Konditionierung.</translation>
    </message>
    <message>
        <source>Save Image</source>
        <translation>Bild speichern</translation>
    </message>
    <message>
        <source>Saves the input images to your outputs folder.</source>
        <translation>Speichert die eingehenden Bilder in Ihrem Ausgabeordner.</translation>
    </message>
    <message>
        <source>Preview Image</source>
        <translation>Bildvorschau</translation>
    </message>
    <message>
        <source>Save Latent</source>
        <translation>Latent speichern</translation>
    </message>
    <message>
        <source>Saves the latent to your outputs folder as ComfyUI&apos;s .latent file.</source>
        <translation>Speichert das Latent als .latent-Datei von ComfyUI in Ihrem Ausgabeordner.</translation>
    </message>
    <message>
        <source>Load aMUSEd Model</source>
        <translation>aMUSEd-Modell laden</translation>
    </message>
    <message>
        <source>Loads an aMUSEd (MUSE family) diffusers folder from the library: its transformer, text encoder and VQ-GAN.</source>
        <translation>Lädt einen aMUSEd-Diffusers-Ordner (MUSE-Familie) aus der Bibliothek: seinen Transformer, Textkodierer und VQ-GAN.</translation>
    </message>
    <message>
        <source>Load aMUSEd LoRA</source>
        <translation>aMUSEd-LoRA laden</translation>
    </message>
    <message>
        <source>Applies a LoRA trained for aMUSEd to the transformer; the loaded model stays as it is.</source>
        <translation>Wendet eine für aMUSEd trainierte LoRA auf den Transformer an; das geladene Modell bleibt unverändert.</translation>
    </message>
    <message>
        <source>aMUSEd Text Encode</source>
        <translation>aMUSEd-Textkodierung</translation>
    </message>
    <message>
        <source>Encodes a prompt with aMUSEd&apos;s text encoder.</source>
        <translation>Kodiert einen Prompt mit dem Textkodierer von aMUSEd.</translation>
    </message>
    <message>
        <source>Empty aMUSEd Token Grid</source>
        <translation>Leeres aMUSEd-Token-Raster</translation>
    </message>
    <message>
        <source>A fully masked grid of image tokens for txt2img, of the size given in pixels.</source>
        <translation>Ein vollständig maskiertes Raster von Bild-Tokens für txt2img, in der in Pixeln angegebenen Größe.</translation>
    </message>
    <message>
        <source>aMUSEd Sampler</source>
        <translation>aMUSEd-Sampler</translation>
    </message>
    <message>
        <source>Unmasks the token grid over the steps, the most confident tokens first (MUSE&apos;s sampler). Tokens from VQ Encode with denoise below 1 make img2img.</source>
        <translation>Demaskiert das Token-Raster über die Schritte, die sichersten Tokens zuerst (der Sampler von MUSE). Tokens aus VQ-Kodierung mit Entrauschen unter 1 ergeben img2img.</translation>
    </message>
    <message>
        <source>VQ Decode</source>
        <translation>VQ-Dekodierung</translation>
    </message>
    <message>
        <source>Turns a sampled token grid into an image with the VQ-GAN.</source>
        <translation>Macht mit dem VQ-GAN aus einem gesampelten Token-Raster ein Bild.</translation>
    </message>
    <message>
        <source>VQ Encode</source>
        <translation>VQ-Kodierung</translation>
    </message>
    <message>
        <source>Turns an image into the VQ-GAN&apos;s tokens, for img2img.</source>
        <translation>Macht aus einem Bild die Tokens des VQ-GAN, für img2img.</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Notiz</translation>
    </message>
    <message>
        <source>Reroute</source>
        <translation>Umleitung</translation>
    </message>
</context>
<context>
    <name>NodeInput</name>
    <message>
        <source>add_noise</source>
        <translation>Rauschen hinzufügen</translation>
    </message>
    <message>
        <source>aesthetic_score</source>
        <translation>Ästhetik-Wert</translation>
    </message>
    <message>
        <source>amount</source>
        <translation>Anzahl</translation>
    </message>
    <message>
        <source>ascore</source>
        <translation>Ästhetik-Wert</translation>
    </message>
    <message>
        <source>batch_index</source>
        <translation>Stapelindex</translation>
    </message>
    <message>
        <source>batch_size</source>
        <translation>Stapelgröße</translation>
    </message>
    <message>
        <source>cfg</source>
        <translation>CFG</translation>
    </message>
    <message>
        <source>channel</source>
        <translation>Kanal</translation>
    </message>
    <message>
        <source>ckpt_name</source>
        <translation>Checkpoint</translation>
    </message>
    <message>
        <source>clip</source>
        <translation>CLIP</translation>
    </message>
    <message>
        <source>conditioning</source>
        <translation>Konditionierung</translation>
    </message>
    <message>
        <source>conditioning_1</source>
        <translation>Konditionierung 1</translation>
    </message>
    <message>
        <source>conditioning_2</source>
        <translation>Konditionierung 2</translation>
    </message>
    <message>
        <source>conditioning_from</source>
        <translation>Konditionierung von</translation>
    </message>
    <message>
        <source>conditioning_to</source>
        <translation>Konditionierung nach</translation>
    </message>
    <message>
        <source>conditioning_to_strength</source>
        <translation>Stärke der Zielkonditionierung</translation>
    </message>
    <message>
        <source>config_name</source>
        <translation>Konfiguration</translation>
    </message>
    <message>
        <source>control_after_generate</source>
        <translation>nach dem Erzeugen</translation>
    </message>
    <message>
        <source>crop</source>
        <translation>Zuschnitt</translation>
    </message>
    <message>
        <source>crop_h</source>
        <translation>Zuschnitt Höhe</translation>
    </message>
    <message>
        <source>crop_left</source>
        <translation>Zuschnitt links</translation>
    </message>
    <message>
        <source>crop_top</source>
        <translation>Zuschnitt oben</translation>
    </message>
    <message>
        <source>crop_w</source>
        <translation>Zuschnitt Breite</translation>
    </message>
    <message>
        <source>denoise</source>
        <translation>Entrauschen</translation>
    </message>
    <message>
        <source>end_at_step</source>
        <translation>bis Schritt</translation>
    </message>
    <message>
        <source>filename_prefix</source>
        <translation>Dateinamen-Präfix</translation>
    </message>
    <message>
        <source>grow_mask_by</source>
        <translation>Maske erweitern um</translation>
    </message>
    <message>
        <source>height</source>
        <translation>Höhe</translation>
    </message>
    <message>
        <source>image</source>
        <translation>Bild</translation>
    </message>
    <message>
        <source>image1</source>
        <translation>Bild 1</translation>
    </message>
    <message>
        <source>image2</source>
        <translation>Bild 2</translation>
    </message>
    <message>
        <source>images</source>
        <translation>Bilder</translation>
    </message>
    <message>
        <source>input</source>
        <translation>Eingabe</translation>
    </message>
    <message>
        <source>latent_image</source>
        <translation>Latent-Bild</translation>
    </message>
    <message>
        <source>length</source>
        <translation>Länge</translation>
    </message>
    <message>
        <source>lora_name</source>
        <translation>LoRA</translation>
    </message>
    <message>
        <source>mask</source>
        <translation>Maske</translation>
    </message>
    <message>
        <source>model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>negative</source>
        <translation>negativ</translation>
    </message>
    <message>
        <source>noise_seed</source>
        <translation>Rausch-Seed</translation>
    </message>
    <message>
        <source>overlap</source>
        <translation>Überlappung</translation>
    </message>
    <message>
        <source>pixels</source>
        <translation>Pixel</translation>
    </message>
    <message>
        <source>positive</source>
        <translation>positiv</translation>
    </message>
    <message>
        <source>return_with_leftover_noise</source>
        <translation>mit Restrauschen zurückgeben</translation>
    </message>
    <message>
        <source>sampler_name</source>
        <translation>Sampler</translation>
    </message>
    <message>
        <source>samples</source>
        <translation>Latent</translation>
    </message>
    <message>
        <source>scale_by</source>
        <translation>skalieren um</translation>
    </message>
    <message>
        <source>scheduler</source>
        <translation>Scheduler</translation>
    </message>
    <message>
        <source>seed</source>
        <translation>Seed</translation>
    </message>
    <message>
        <source>start_at_step</source>
        <translation>ab Schritt</translation>
    </message>
    <message>
        <source>steps</source>
        <translation>Schritte</translation>
    </message>
    <message>
        <source>stop_at_clip_layer</source>
        <translation>bei CLIP-Schicht enden</translation>
    </message>
    <message>
        <source>strength</source>
        <translation>Stärke</translation>
    </message>
    <message>
        <source>strength_clip</source>
        <translation>Stärke CLIP</translation>
    </message>
    <message>
        <source>strength_model</source>
        <translation>Stärke Modell</translation>
    </message>
    <message>
        <source>target_height</source>
        <translation>Zielhöhe</translation>
    </message>
    <message>
        <source>target_width</source>
        <translation>Zielbreite</translation>
    </message>
    <message>
        <source>temperature_end</source>
        <translation>Endtemperatur</translation>
    </message>
    <message>
        <source>temperature_start</source>
        <translation>Starttemperatur</translation>
    </message>
    <message>
        <source>temporal_overlap</source>
        <translation>zeitliche Überlappung</translation>
    </message>
    <message>
        <source>temporal_size</source>
        <translation>zeitliche Größe</translation>
    </message>
    <message>
        <source>text</source>
        <translation>Text</translation>
    </message>
    <message>
        <source>text_g</source>
        <translation>Text G</translation>
    </message>
    <message>
        <source>text_l</source>
        <translation>Text L</translation>
    </message>
    <message>
        <source>tile_size</source>
        <translation>Kachelgröße</translation>
    </message>
    <message>
        <source>tokens</source>
        <translation>Tokens</translation>
    </message>
    <message>
        <source>upscale_method</source>
        <translation>Hochskalierungsmethode</translation>
    </message>
    <message>
        <source>vae</source>
        <translation>VAE</translation>
    </message>
    <message>
        <source>vae_name</source>
        <translation>VAE</translation>
    </message>
    <message>
        <source>vqgan</source>
        <translation>VQ-GAN</translation>
    </message>
    <message>
        <source>width</source>
        <translation>Breite</translation>
    </message>
    <message>
        <source>x</source>
        <translation>x</translation>
    </message>
    <message>
        <source>y</source>
        <translation>y</translation>
    </message>
</context>
<context>
    <name>NodeTitle</name>
    <message>
        <source>Positive prompt</source>
        <translation>Positiv-Prompt</translation>
    </message>
    <message>
        <source>Negative prompt</source>
        <translation>Negativ-Prompt</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>Open file</source>
        <translation>Datei öffnen</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Model library</source>
        <translation>Modellbibliothek</translation>
    </message>
    <message>
        <source>Atelier cannot start</source>
        <translation>Atelier kann nicht gestartet werden</translation>
    </message>
    <message>
        <source>Red</source>
        <translation>Rot</translation>
    </message>
    <message>
        <source>Brown</source>
        <translation>Braun</translation>
    </message>
    <message>
        <source>Green</source>
        <translation>Grün</translation>
    </message>
    <message>
        <source>Blue</source>
        <translation>Blau</translation>
    </message>
    <message>
        <source>Pale blue</source>
        <translation>Hellblau</translation>
    </message>
    <message>
        <source>Cyan</source>
        <translation>Cyan</translation>
    </message>
    <message>
        <source>Purple</source>
        <translation>Lila</translation>
    </message>
    <message>
        <source>Yellow</source>
        <translation>Gelb</translation>
    </message>
    <message>
        <source>Black</source>
        <translation>Schwarz</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>Access denied: this model needs an access token (add yours in Settings) or accepting its licence on the hub&apos;s page.</source>
        <translation>Zugriff verweigert: Dieses Modell benötigt ein Zugriffstoken (fügen Sie Ihres in den Einstellungen hinzu) oder die Zustimmung zu seiner Lizenz auf der Seite des Hubs.</translation>
    </message>
    <message>
        <source>Not found on the server: the link is wrong or the file was removed.</source>
        <translation>Auf dem Server nicht gefunden: Der Link ist falsch oder die Datei wurde entfernt.</translation>
    </message>
    <message>
        <source>The server is limiting requests; try again in a few minutes.</source>
        <translation>Der Server begrenzt die Anfragen; versuchen Sie es in ein paar Minuten erneut.</translation>
    </message>
    <message>
        <source>The server refused the download.</source>
        <translation>Der Server hat den Download abgelehnt.</translation>
    </message>
    <message>
        <source>The server could not be reached: check the address and your connection.</source>
        <translation>Der Server ist nicht erreichbar: Prüfen Sie die Adresse und Ihre Verbindung.</translation>
    </message>
    <message>
        <source>The server stopped responding.</source>
        <translation>Der Server antwortet nicht mehr.</translation>
    </message>
    <message>
        <source>Nothing was found there: check the path or the name.</source>
        <translation>Dort wurde nichts gefunden: Prüfen Sie den Pfad oder den Namen.</translation>
    </message>
    <message>
        <source>Not something Atelier can install: give a model file, a folder, a link, or a Hugging Face id such as owner/name.</source>
        <translation>Nichts, was Atelier installieren kann: Geben Sie eine Modelldatei, einen Ordner, einen Link oder eine Hugging-Face-ID wie owner/name an.</translation>
    </message>
    <message>
        <source>That repository holds several models: name one file (owner/name::file.safetensors).</source>
        <translation>Dieses Repository enthält mehrere Modelle: Geben Sie eine Datei an (owner/name::file.safetensors).</translation>
    </message>
    <message>
        <source>Already in your library: %1</source>
        <translation>Bereits in Ihrer Bibliothek: %1</translation>
    </message>
    <message>
        <source>Atelier does not recognise this file as a model it can use.</source>
        <translation>Atelier erkennt diese Datei nicht als verwendbares Modell.</translation>
    </message>
    <message>
        <source>Not enough free disk space for this model.</source>
        <translation>Nicht genügend freier Speicherplatz für dieses Modell.</translation>
    </message>
    <message>
        <source>The download is damaged: its checksum does not match the hub&apos;s. Try again.</source>
        <translation>Der Download ist beschädigt: Seine Prüfsumme stimmt nicht mit der des Hubs überein. Versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>Files could not be read or written: check permissions and free space.</source>
        <translation>Dateien konnten nicht gelesen oder geschrieben werden: Prüfen Sie die Berechtigungen und den freien Speicherplatz.</translation>
    </message>
    <message>
        <source>The library could not be updated.</source>
        <translation>Die Bibliothek konnte nicht aktualisiert werden.</translation>
    </message>
    <message>
        <source>The model&apos;s settings were refused: %1</source>
        <translation>Die Einstellungen des Modells wurden abgelehnt: %1</translation>
    </message>
    <message>
        <source>The install failed.</source>
        <translation>Die Installation ist fehlgeschlagen.</translation>
    </message>
    <message>
        <source>%1 is not the same file as “%2” (its contents differ); install it as a new model instead.</source>
        <translation>%1 ist nicht dieselbe Datei wie „%2“ (der Inhalt unterscheidet sich); installieren Sie sie stattdessen als neues Modell.</translation>
    </message>
    <message>
        <source>Cannot undo or redo this change: %1</source>
        <translation>Diese Änderung kann nicht rückgängig gemacht oder wiederhergestellt werden: %1</translation>
    </message>
    <message>
        <source>not set</source>
        <translation>nicht festgelegt</translation>
    </message>
    <message>
        <source>Show the token</source>
        <translation>Token anzeigen</translation>
    </message>
    <message>
        <source>Automatic (CUDA when available)</source>
        <translation>Automatisch (CUDA, falls verfügbar)</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>Automatic (fp16 on CUDA, fp32 on the CPU)</source>
        <translation>Automatisch (fp16 mit CUDA, fp32 auf der CPU)</translation>
    </message>
    <message>
        <source>fp32 (full)</source>
        <translation>fp32 (volle Genauigkeit)</translation>
    </message>
    <message>
        <source>fp16 (half, CUDA)</source>
        <translation>fp16 (halbe Genauigkeit, CUDA)</translation>
    </message>
    <message>
        <source>bf16 (bfloat16)</source>
        <translation>bf16 (bfloat16)</translation>
    </message>
    <message>
        <source>The desktop&apos;s (%1)</source>
        <translation>Desktop-Vorgabe (%1)</translation>
    </message>
    <message>
        <source>Applies the next time Atelier starts</source>
        <translation>Wird beim nächsten Start von Atelier wirksam</translation>
    </message>
    <message>
        <source>The desktop&apos;s (light or dark, as it switches)</source>
        <translation>Wie der Desktop (hell oder dunkel, wie er umschaltet)</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Hell</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Dunkel</translation>
    </message>
    <message>
        <source>Applies at once</source>
        <translation>Gilt sofort</translation>
    </message>
    <message>
        <source>The render farm does not answer (%1); runs sent there wait for it</source>
        <translation>Die Renderfarm antwortet nicht (%1); dorthin geschickte Ausführungen warten auf sie</translation>
    </message>
</context>
<context>
    <name>RecipeComparison</name>
    <message>
        <source> (%1, text %2)</source>
        <translation> (%1, Text %2)</translation>
    </message>
</context>
<context>
    <name>RecipeField</name>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Seed</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>Schritte</translation>
    </message>
    <message>
        <source>Sampler</source>
        <translation>Sampler</translation>
    </message>
    <message>
        <source>Scheduler</source>
        <translation>Scheduler</translation>
    </message>
    <message>
        <source>CFG</source>
        <translation>CFG</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Denoise</source>
        <translation>Entrauschen</translation>
    </message>
    <message>
        <source>LoRAs</source>
        <translation>LoRAs</translation>
    </message>
    <message>
        <source>Embeddings</source>
        <translation>Embeddings</translation>
    </message>
    <message>
        <source>VAE</source>
        <translation>VAE</translation>
    </message>
    <message>
        <source>Clip skip</source>
        <translation>CLIP-Skip</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>Temperatur</translation>
    </message>
    <message>
        <source>Aesthetic score</source>
        <translation>Ästhetik-Wert</translation>
    </message>
    <message>
        <source>Crop</source>
        <translation>Zuschnitt</translation>
    </message>
    <message>
        <source>Sampling passes</source>
        <translation>Sampling-Durchläufe</translation>
    </message>
    <message>
        <source>Tool</source>
        <translation>Werkzeug</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>Prompt</translation>
    </message>
    <message>
        <source>Negative prompt</source>
        <translation>Negativ-Prompt</translation>
    </message>
</context>
<context>
    <name>RunReason</name>
    <message>
        <source>new node</source>
        <translation>neuer Knoten</translation>
    </message>
    <message>
        <source>node type changed (%1 -&gt; %2)</source>
        <translation>Knotentyp geändert (%1 -&gt; %2)</translation>
    </message>
    <message>
        <source>%1 added</source>
        <translation>%1 hinzugefügt</translation>
    </message>
    <message>
        <source>%1 changed (%2 -&gt; %3)</source>
        <translation>%1 geändert (%2 -&gt; %3)</translation>
    </message>
    <message>
        <source>%1 removed</source>
        <translation>%1 entfernt</translation>
    </message>
    <message>
        <source>upstream node %1 (%2) ran again</source>
        <translation>vorgelagerter Knoten %1 (%2) lief erneut</translation>
    </message>
    <message>
        <source>its source changed on disk</source>
        <translation>seine Quelle hat sich auf dem Datenträger geändert</translation>
    </message>
    <message>
        <source>not in the cache (evicted or cleared)</source>
        <translation>nicht im Cache (verdrängt oder geleert)</translation>
    </message>
    <message>
        <source>cached: same inputs as an earlier run</source>
        <translation>aus dem Cache: dieselben Eingaben wie bei einer früheren Ausführung</translation>
    </message>
</context>
<context>
    <name>atelier::gallery::GalleryService</name>
    <message>
        <source>%1 is not a folder.</source>
        <translation>%1 ist kein Ordner.</translation>
    </message>
    <message>
        <source>%1 is already indexed as part of %2, or holds it.</source>
        <translation>%1 ist bereits als Teil von %2 indiziert oder enthält diesen Ordner.</translation>
    </message>
</context>
<context>
    <name>atelier::ui::AboutDialog</name>
    <message>
        <source>About Atelier</source>
        <translation>Über Atelier</translation>
    </message>
    <message>
        <source>(the engine is starting)</source>
        <translation>(die Engine wird gestartet)</translation>
    </message>
    <message>
        <source>unavailable: %1</source>
        <translation>nicht verfügbar: %1</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Atelier %1&lt;/h3&gt;&lt;p&gt;A studio for Stable-Diffusion-family image models.&lt;/p&gt;&lt;table&gt;&lt;tr&gt;&lt;td&gt;Qt&lt;/td&gt;&lt;td&gt;%2 (built with %3)&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;libtorch&lt;/td&gt;&lt;td&gt;%4&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Devices&lt;/td&gt;&lt;td&gt;%5&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</source>
        <translation>&lt;h3&gt;Atelier %1&lt;/h3&gt;&lt;p&gt;Ein Studio für Bildmodelle der Stable-Diffusion-Familie.&lt;/p&gt;&lt;table&gt;&lt;tr&gt;&lt;td&gt;Qt&lt;/td&gt;&lt;td&gt;%2 (erstellt mit %3)&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;libtorch&lt;/td&gt;&lt;td&gt;%4&lt;/td&gt;&lt;/tr&gt;&lt;tr&gt;&lt;td&gt;Geräte&lt;/td&gt;&lt;td&gt;%5&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;</translation>
    </message>
</context>
<context>
    <name>atelier::ui::AddNodePopup</name>
    <message>
        <source>Search nodes…</source>
        <translation>Knoten suchen…</translation>
    </message>
</context>
<context>
    <name>atelier::ui::DeleteModelsDialog</name>
    <message>
        <source>Delete “%1”</source>
        <translation>„%1“ löschen</translation>
    </message>
    <message numerus="yes">
        <source>Delete %n models</source>
        <translation>
            <numerusform>%n Modell löschen</numerusform>
            <numerusform>%n Modelle löschen</numerusform>
        </translation>
    </message>
    <message>
        <source>What should happen to “%1”?</source>
        <translation>Was soll mit „%1“ geschehen?</translation>
    </message>
    <message numerus="yes">
        <source>What should happen to these %n models?</source>
        <translation>
            <numerusform>Was soll mit diesem %n Modell geschehen?</numerusform>
            <numerusform>Was soll mit diesen %n Modellen geschehen?</numerusform>
        </translation>
    </message>
    <message>
        <source>Remove from the library only; the files stay where they are</source>
        <translation>Nur aus der Bibliothek entfernen; die Dateien bleiben, wo sie sind</translation>
    </message>
    <message>
        <source>Delete the files too: %1 freed</source>
        <translation>Auch die Dateien löschen: %1 werden frei</translation>
    </message>
    <message>
        <source>Files outside the models folder are never deleted by Atelier; remove them yourself if you no longer need them.</source>
        <translation>Dateien außerhalb des Modellordners werden von Atelier nie gelöscht; entfernen Sie sie selbst, wenn Sie sie nicht mehr benötigen.</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Delete files</source>
        <translation>Dateien löschen</translation>
    </message>
</context>
<context>
    <name>atelier::ui::GalleryModel</name>
    <message>
        <source>Rendering…</source>
        <translation>Wird gerendert…</translation>
    </message>
</context>
<context>
    <name>atelier::ui::GalleryPanel</name>
    <message>
        <source>Search prompts, models, LoRAs</source>
        <translation>Prompts, Modelle, LoRAs durchsuchen</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>Sortierung</translation>
    </message>
    <message>
        <source>Newest</source>
        <translation>Neueste</translation>
    </message>
    <message>
        <source>Oldest</source>
        <translation>Älteste</translation>
    </message>
    <message>
        <source>Rating</source>
        <translation>Bewertung</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Seed</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>Schritte</translation>
    </message>
    <message>
        <source>CFG</source>
        <translation>CFG</translation>
    </message>
    <message>
        <source>Sampler</source>
        <translation>Sampler</translation>
    </message>
    <message>
        <source>Thumbnail size</source>
        <translation>Vorschaubildgröße</translation>
    </message>
    <message>
        <source>indexing %1: %2 / %3</source>
        <translation>%1 wird indiziert: %2 / %3</translation>
    </message>
    <message>
        <source>Base model (of the models the library has)</source>
        <translation>Basismodell (der Modelle in der Bibliothek)</translation>
    </message>
    <message>
        <source>LoRA</source>
        <translation>LoRA</translation>
    </message>
    <message>
        <source>When</source>
        <translation>Zeitraum</translation>
    </message>
    <message>
        <source>Folder</source>
        <translation>Ordner</translation>
    </message>
    <message>
        <source>Starred only</source>
        <translation>Nur mit Stern</translation>
    </message>
    <message>
        <source>Any model</source>
        <translation>Alle Modelle</translation>
    </message>
    <message>
        <source>Any base</source>
        <translation>Alle Basen</translation>
    </message>
    <message>
        <source>Any LoRA</source>
        <translation>Alle LoRAs</translation>
    </message>
    <message>
        <source>All folders</source>
        <translation>Alle Ordner</translation>
    </message>
    <message>
        <source>Any time</source>
        <translation>Gesamter Zeitraum</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Heute</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>Letzte 7 Tage</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>Letzte 30 Tage</translation>
    </message>
    <message>
        <source>Older than 30 days</source>
        <translation>Älter als 30 Tage</translation>
    </message>
    <message>
        <source>Between…</source>
        <translation>Zwischen…</translation>
    </message>
    <message>
        <source>Any rating</source>
        <translation>Alle Bewertungen</translation>
    </message>
    <message>
        <source>Index another folder (another tool&apos;s outputs)</source>
        <translation>Weiteren Ordner indizieren (Ausgaben eines anderen Programms)</translation>
    </message>
    <message>
        <source>Images made between</source>
        <translation>Bilder erstellt zwischen</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Von</translation>
    </message>
    <message>
        <source>To (included)</source>
        <translation>Bis (einschließlich)</translation>
    </message>
    <message>
        <source>Outputs</source>
        <translation>Ausgaben</translation>
    </message>
    <message>
        <source>Move to trash</source>
        <translation>In den Papierkorb verschieben</translation>
    </message>
    <message>
        <source>These files could not be moved to the trash and were left as they are:
%1</source>
        <translation>Diese Dateien konnten nicht in den Papierkorb verschoben werden und bleiben unverändert:
%1</translation>
    </message>
    <message>
        <source>Index a folder of images</source>
        <translation>Bilderordner indizieren</translation>
    </message>
    <message numerus="yes">
        <source>%n image(s)</source>
        <translation>
            <numerusform>%n Bild</numerusform>
            <numerusform>%n Bilder</numerusform>
        </translation>
    </message>
    <message>
        <source>searching…</source>
        <translation>wird gesucht…</translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) could not be read</source>
        <translation>
            <numerusform>%n Datei konnte nicht gelesen werden</numerusform>
            <numerusform>%n Dateien konnten nicht gelesen werden</numerusform>
        </translation>
    </message>
    <message>
        <source>View</source>
        <translation>Anzeigen</translation>
    </message>
    <message>
        <source>Compare the two</source>
        <translation>Beide vergleichen</translation>
    </message>
    <message>
        <source>Open as graph</source>
        <translation>Als Graph öffnen</translation>
    </message>
    <message>
        <source>Use recipe</source>
        <translation>Rezept verwenden</translation>
    </message>
    <message>
        <source>Star</source>
        <translation>Mit Stern markieren</translation>
    </message>
    <message>
        <source>Rate</source>
        <translation>Bewerten</translation>
    </message>
    <message>
        <source>No rating</source>
        <translation>Keine Bewertung</translation>
    </message>
    <message>
        <source>Show in folder</source>
        <translation>Im Ordner anzeigen</translation>
    </message>
    <message>
        <source>Copy image</source>
        <translation>Bild kopieren</translation>
    </message>
    <message>
        <source>Copy path</source>
        <translation>Pfad kopieren</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Exportieren…</translation>
    </message>
    <message>
        <source>Search the gallery</source>
        <translation>Galerie durchsuchen</translation>
    </message>
    <message>
        <source>Tile size</source>
        <translation>Kachelgröße</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Bilder</translation>
    </message>
</context>
<context>
    <name>atelier::ui::GraphEditor</name>
    <message>
        <source>New</source>
        <translation>Neu</translation>
    </message>
    <message>
        <source>Open…</source>
        <translation>Öffnen…</translation>
    </message>
    <message>
        <source>Open workflow</source>
        <translation>Workflow öffnen</translation>
    </message>
    <message>
        <source>Workflows and images (*.json *.png)</source>
        <translation>Workflows und Bilder (*.json *.png)</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <source>Save workflow</source>
        <translation>Workflow speichern</translation>
    </message>
    <message>
        <source>Workflows (*.json)</source>
        <translation>Workflows (*.json)</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Rückgängig</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>Wiederherstellen</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>Einreihen</translation>
    </message>
    <message>
        <source>Run to here</source>
        <translation>Bis hier ausführen</translation>
    </message>
    <message>
        <source>Select the nodes to run up to first</source>
        <translation>Wählen Sie zuerst die Knoten aus, bis zu denen ausgeführt werden soll</translation>
    </message>
    <message>
        <source>Runs only what the selected nodes need</source>
        <translation>Führt nur aus, was die ausgewählten Knoten benötigen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Bereit</translation>
    </message>
    <message>
        <source>Untitled</source>
        <translation>Unbenannt</translation>
    </message>
    <message>
        <source>txt2img</source>
        <translation>txt2img</translation>
    </message>
    <message>
        <source>cannot read %1: %2</source>
        <translation>%1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>there is no input folder to put %1 in</source>
        <translation>es gibt keinen Eingabeordner, in den %1 gelegt werden kann</translation>
    </message>
    <message>
        <source>%1 is not an image Atelier can read: %2</source>
        <translation>%1 ist kein Bild, das Atelier lesen kann: %2</translation>
    </message>
    <message>
        <source>cannot create the input folder %1</source>
        <translation>der Eingabeordner %1 kann nicht erstellt werden</translation>
    </message>
    <message>
        <source>cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>no workflow is open</source>
        <translation>es ist kein Workflow geöffnet</translation>
    </message>
    <message>
        <source>%1, up to %2</source>
        <translation>%1, bis %2</translation>
    </message>
    <message>
        <source>Seeds after queueing</source>
        <translation>Seeds nach dem Einreihen</translation>
    </message>
    <message>
        <source>Queued (%1 ahead)</source>
        <translation>Eingereiht (%1 davor)</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>Eingereiht</translation>
    </message>
    <message>
        <source>Running…</source>
        <translation>Wird ausgeführt…</translation>
    </message>
    <message>
        <source>Running %1…</source>
        <translation>%1 wird ausgeführt…</translation>
    </message>
    <message>
        <source>Step %1 of %2</source>
        <translation>Schritt %1 von %2</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Fertig</translation>
    </message>
    <message>
        <source>Done: %1</source>
        <translation>Fertig: %1</translation>
    </message>
    <message>
        <source>The graph has errors (marked on the nodes); nothing ran</source>
        <translation>Der Graph enthält Fehler (an den Knoten markiert); nichts wurde ausgeführt</translation>
    </message>
    <message>
        <source>Failed at node %1: %2</source>
        <translation>Fehlgeschlagen bei Knoten %1: %2</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Abgebrochen</translation>
    </message>
    <message>
        <source>Use recipe</source>
        <translation>Rezept verwenden</translation>
    </message>
    <message>
        <source>This graph has no widget for the recipe&apos;s settings.</source>
        <translation>Dieser Graph hat kein Bedienelement für die Einstellungen des Rezepts.</translation>
    </message>
    <message numerus="yes">
        <source>Recipe used: %n setting(s) changed</source>
        <translation>
            <numerusform>Rezept übernommen: %n Einstellung geändert</numerusform>
            <numerusform>Rezept übernommen: %n Einstellungen geändert</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>A new tab with a ready text-to-image graph</source>
        <translation>Ein neuer Tab mit einem fertigen Text-zu-Bild-Graphen</translation>
    </message>
    <message>
        <source>Open a workflow, or the graph stored in an image</source>
        <translation>Einen Workflow öffnen oder den in einem Bild gespeicherten Graphen</translation>
    </message>
    <message>
        <source>Save this workflow as ComfyUI JSON</source>
        <translation>Diesen Workflow als ComfyUI-JSON speichern</translation>
    </message>
    <message>
        <source>Take back the last change to this graph</source>
        <translation>Die letzte Änderung an diesem Graphen zurücknehmen</translation>
    </message>
    <message>
        <source>Make the change taken back again</source>
        <translation>Die zurückgenommene Änderung wieder ausführen</translation>
    </message>
    <message>
        <source>Run this graph; runs queued meanwhile wait their turn</source>
        <translation>Diesen Graphen ausführen; währenddessen eingereihte Ausführungen warten, bis sie an der Reihe sind</translation>
    </message>
    <message>
        <source>Stop the running graph and empty the queue</source>
        <translation>Den laufenden Graphen anhalten und die Warteschlange leeren</translation>
    </message>
    <message>
        <source>The models this graph needs that the library lacks, and where to get them</source>
        <translation>Die Modelle, die dieser Graph braucht und die der Bibliothek fehlen, und woher man sie bekommt</translation>
    </message>
    <message>
        <source>This computer</source>
        <translation>Dieser Computer</translation>
    </message>
    <message>
        <source>Render farm (%1)</source>
        <translation>Renderfarm (%1)</translation>
    </message>
    <message>
        <source>Running on the farm&apos;s %1…</source>
        <translation>Läuft auf %1 der Farm …</translation>
    </message>
    <message numerus="yes">
        <source>%n model(s) missing: install…</source>
        <translation>
            <numerusform>%n Modell fehlt: installieren…</numerusform>
            <numerusform>%n Modelle fehlen: installieren…</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>atelier::ui::GraphScene</name>
    <message>
        <source>Add %1</source>
        <translation>%1 hinzufügen</translation>
    </message>
    <message>
        <source>Delete node</source>
        <translation>Knoten löschen</translation>
    </message>
    <message>
        <source>Paste</source>
        <translation>Einfügen</translation>
    </message>
    <message>
        <source>Bypass</source>
        <translation>Überbrücken</translation>
    </message>
    <message>
        <source>Mute</source>
        <translation>Stummschalten</translation>
    </message>
    <message>
        <source>Activate</source>
        <translation>Aktivieren</translation>
    </message>
    <message>
        <source>Collapse</source>
        <translation>Einklappen</translation>
    </message>
    <message>
        <source>Expand</source>
        <translation>Ausklappen</translation>
    </message>
    <message>
        <source>Colour</source>
        <translation>Farbe</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Gruppieren</translation>
    </message>
    <message>
        <source>Align</source>
        <translation>Ausrichten</translation>
    </message>
    <message>
        <source>Cut link</source>
        <translation>Verbindung trennen</translation>
    </message>
    <message>
        <source>Add reroute</source>
        <translation>Umleitungspunkt hinzufügen</translation>
    </message>
    <message>
        <source>Move link</source>
        <translation>Verbindung verschieben</translation>
    </message>
    <message>
        <source>Link</source>
        <translation>Verbinden</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>Umbenennen…</translation>
    </message>
    <message>
        <source>Title:</source>
        <translation>Titel:</translation>
    </message>
    <message>
        <source>No colour</source>
        <translation>Keine Farbe</translation>
    </message>
    <message>
        <source>Bypass	Ctrl+B</source>
        <translation>Überbrücken	Strg+B</translation>
    </message>
    <message>
        <source>Mute	Ctrl+M</source>
        <translation>Stummschalten	Strg+M</translation>
    </message>
    <message>
        <source>To the grid</source>
        <translation>Am Raster</translation>
    </message>
    <message>
        <source>Left edges</source>
        <translation>Linke Kanten</translation>
    </message>
    <message>
        <source>Top edges</source>
        <translation>Obere Kanten</translation>
    </message>
    <message>
        <source>Group	Ctrl+G</source>
        <translation>Gruppieren	Strg+G</translation>
    </message>
    <message>
        <source>Delete	Del</source>
        <translation>Löschen	Entf</translation>
    </message>
    <message>
        <source>Rename group…</source>
        <translation>Gruppe umbenennen…</translation>
    </message>
    <message>
        <source>Rename group</source>
        <translation>Gruppe umbenennen</translation>
    </message>
    <message>
        <source>Colour group</source>
        <translation>Gruppe einfärben</translation>
    </message>
    <message>
        <source>Select its nodes</source>
        <translation>Enthaltene Knoten auswählen</translation>
    </message>
    <message>
        <source>Remove group (keep its nodes)</source>
        <translation>Gruppe entfernen (Knoten behalten)</translation>
    </message>
    <message>
        <source>Remove group</source>
        <translation>Gruppe entfernen</translation>
    </message>
    <message>
        <source>Add node…	Tab</source>
        <translation>Knoten hinzufügen…	Tab</translation>
    </message>
    <message>
        <source>Add group</source>
        <translation>Gruppe hinzufügen</translation>
    </message>
    <message>
        <source>Group selected nodes	Ctrl+G</source>
        <translation>Ausgewählte Knoten gruppieren	Strg+G</translation>
    </message>
    <message>
        <source>Paste	Ctrl+V</source>
        <translation>Einfügen	Strg+V</translation>
    </message>
    <message numerus="yes">
        <source>Delete %n nodes</source>
        <translation>
            <numerusform>%n Knoten löschen</numerusform>
            <numerusform>%n Knoten löschen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Cut %n links</source>
        <translation>
            <numerusform>%n Verbindung trennen</numerusform>
            <numerusform>%n Verbindungen trennen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Delete %n nodes	Del</source>
        <translation>
            <numerusform>%n Knoten löschen	Entf</numerusform>
            <numerusform>%n Knoten löschen	Entf</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>atelier::ui::GraphView</name>
    <message>
        <source>%1 (a %2 model)</source>
        <translation>%1 (ein %2-Modell)</translation>
    </message>
    <message>
        <source>No loader node takes %1 yet</source>
        <translation>Noch kein Ladeknoten akzeptiert %1</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Gruppe</translation>
    </message>
    <message>
        <source>not linked</source>
        <translation>nicht verbunden</translation>
    </message>
    <message>
        <source>from %1, %2</source>
        <translation>von %1, %2</translation>
    </message>
    <message>
        <source>linked</source>
        <translation>verbunden</translation>
    </message>
    <message>
        <source>bypassed</source>
        <translation>überbrückt</translation>
    </message>
    <message>
        <source>muted</source>
        <translation>stummgeschaltet</translation>
    </message>
    <message>
        <source>Node canvas</source>
        <translation>Knoten-Arbeitsfläche</translation>
    </message>
    <message>
        <source>Arrow keys choose a node, Enter edits its inputs, Tab adds a node, Delete removes the selection, F6 moves on to the next area.</source>
        <translation>Pfeiltasten wählen einen Knoten, Eingabe bearbeitet seine Eingänge, Tab fügt einen Knoten hinzu, Entf entfernt die Auswahl, F6 wechselt zum nächsten Bereich.</translation>
    </message>
    <message>
        <source>(no inputs to edit)</source>
        <translation>(keine Eingänge zu bearbeiten)</translation>
    </message>
</context>
<context>
    <name>atelier::ui::GroupItem</name>
    <message>
        <source>Move group</source>
        <translation>Gruppe verschieben</translation>
    </message>
    <message>
        <source>Resize group</source>
        <translation>Gruppengröße ändern</translation>
    </message>
    <message>
        <source>Rename group</source>
        <translation>Gruppe umbenennen</translation>
    </message>
    <message>
        <source>Title:</source>
        <translation>Titel:</translation>
    </message>
</context>
<context>
    <name>atelier::ui::ImageInspector</name>
    <message>
        <source>Select an image, or drop a PNG here</source>
        <translation>Wählen Sie ein Bild aus oder legen Sie hier ein PNG ab</translation>
    </message>
    <message>
        <source>Open as graph</source>
        <translation>Als Graph öffnen</translation>
    </message>
    <message>
        <source>A new editor tab with the image&apos;s graph, or one built from its recipe</source>
        <translation>Neuer Editor-Tab mit dem Graphen des Bildes oder einem aus seinem Rezept erstellten Graphen</translation>
    </message>
    <message>
        <source>Use recipe</source>
        <translation>Rezept verwenden</translation>
    </message>
    <message>
        <source>Put the image&apos;s prompt, seed and settings into the graph being edited</source>
        <translation>Prompt, Seed und Einstellungen des Bildes in den bearbeiteten Graphen übernehmen</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <source>Copy the prompt, the seed or the whole recipe</source>
        <translation>Prompt, Seed oder das ganze Rezept kopieren</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>Prompt</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Seed</translation>
    </message>
    <message>
        <source>All, as A1111 text</source>
        <translation>Alles, als A1111-Text</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Exportieren…</translation>
    </message>
    <message>
        <source>Save a copy with all, some or none of its metadata</source>
        <translation>Eine Kopie mit allen, einigen oder keinen Metadaten speichern</translation>
    </message>
    <message>
        <source>Negative prompt</source>
        <translation>Negativ-Prompt</translation>
    </message>
    <message>
        <source>Text chunks</source>
        <translation>Textblöcke</translation>
    </message>
    <message>
        <source>Keyword</source>
        <translation>Schlüsselwort</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Text</translation>
    </message>
    <message>
        <source>no recipe</source>
        <translation>kein Rezept</translation>
    </message>
    <message>
        <source>Not everything could be read:</source>
        <translation>Nicht alles konnte gelesen werden:</translation>
    </message>
    <message>
        <source>Text chunks (%1)</source>
        <translation>Textblöcke (%1)</translation>
    </message>
    <message>
        <source>not in the library</source>
        <translation>nicht in der Bibliothek</translation>
    </message>
    <message>
        <source>Find and install…</source>
        <translation>Suchen und installieren…</translation>
    </message>
    <message>
        <source>Without metadata</source>
        <translation>Ohne Metadaten</translation>
    </message>
    <message>
        <source>With the recipe only (A1111 text, no graph)</source>
        <translation>Nur mit dem Rezept (A1111-Text, kein Graph)</translation>
    </message>
    <message>
        <source>With all its metadata</source>
        <translation>Mit allen Metadaten</translation>
    </message>
    <message>
        <source>Export image</source>
        <translation>Bild exportieren</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG-Bilder (*.png)</translation>
    </message>
    <message>
        <source>No image is selected.</source>
        <translation>Kein Bild ausgewählt.</translation>
    </message>
    <message>
        <source>Show the text stored in the file as it is, chunk by chunk</source>
        <translation>Den in der Datei gespeicherten Text unverändert zeigen, Block für Block</translation>
    </message>
</context>
<context>
    <name>atelier::ui::ImageViewer</name>
    <message>
        <source>Image viewer</source>
        <translation>Bildbetrachter</translation>
    </message>
    <message>
        <source>Previous (Left)</source>
        <translation>Vorheriges (Links)</translation>
    </message>
    <message>
        <source>Next (Right)</source>
        <translation>Nächstes (Rechts)</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>Einpassen</translation>
    </message>
    <message>
        <source>Fit to the window (F)</source>
        <translation>An Fenster anpassen (F)</translation>
    </message>
    <message>
        <source>Actual pixels (1)</source>
        <translation>Originalgröße (1)</translation>
    </message>
    <message>
        <source>Changed</source>
        <translation>Geändert</translation>
    </message>
    <message>
        <source>Left</source>
        <translation>Links</translation>
    </message>
    <message>
        <source>Right</source>
        <translation>Rechts</translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation>%1 wird geladen…</translation>
    </message>
    <message>
        <source>%1 cannot be shown</source>
        <translation>%1 kann nicht angezeigt werden</translation>
    </message>
    <message>
        <source>(same words)</source>
        <translation>(gleiche Wörter)</translation>
    </message>
    <message>
        <source>Nothing</source>
        <translation>Nichts</translation>
    </message>
    <message>
        <source>The recipes are the same.</source>
        <translation>Die Rezepte sind gleich.</translation>
    </message>
    <message>
        <source>%1  ⟷  %2</source>
        <translation>%1  ⟷  %2</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>Vergleichen</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>Bild</translation>
    </message>
    <message>
        <source>Second image</source>
        <translation>Zweites Bild</translation>
    </message>
    <message>
        <source>Wheel: zoom; drag: move; Left and Right: previous and next image; F: fit; 1: actual pixels; Escape: close</source>
        <translation>Mausrad: zoomen; Ziehen: verschieben; Links und Rechts: vorheriges und nächstes Bild; F: einpassen; 1: tatsächliche Pixel; Escape: schließen</translation>
    </message>
</context>
<context>
    <name>atelier::ui::ImportLibraryDialog</name>
    <message>
        <source>Import models from other tools</source>
        <translation>Modelle aus anderen Programmen importieren</translation>
    </message>
    <message>
        <source>Models in ComfyUI, A1111/Forge, InvokeAI and Stability Matrix folders are registered where they are: nothing is copied, and nothing in those folders is changed, so the other tools keep working. Names, trigger words and previews those tools saved come along.</source>
        <translation>Modelle in Ordnern von ComfyUI, A1111/Forge, InvokeAI und Stability Matrix werden an Ort und Stelle registriert: Nichts wird kopiert und nichts in diesen Ordnern geändert, sodass die anderen Programme weiter funktionieren. Von diesen Programmen gespeicherte Namen, Auslösewörter und Vorschaubilder werden übernommen.</translation>
    </message>
    <message>
        <source>Folder</source>
        <translation>Ordner</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modelle</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>In the library</source>
        <translation>In der Bibliothek</translation>
    </message>
    <message>
        <source>Add folder…</source>
        <translation>Ordner hinzufügen…</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>Importieren</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Anhalten</translation>
    </message>
    <message>
        <source>Stop after the model being hashed; what is registered stays, and the next import goes on from there</source>
        <translation>Nach dem Modell anhalten, dessen Hash gerade berechnet wird; bereits Registriertes bleibt erhalten, und der nächste Import macht dort weiter</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>What the import did is shown here.</source>
        <translation>Hier wird angezeigt, was der Import getan hat.</translation>
    </message>
    <message>
        <source>A ComfyUI, A1111, InvokeAI or Stability Matrix folder</source>
        <translation>Ein Ordner von ComfyUI, A1111, InvokeAI oder Stability Matrix</translation>
    </message>
    <message>
        <source>Stopping after the current model…</source>
        <translation>Wird nach dem aktuellen Modell angehalten…</translation>
    </message>
    <message>
        <source>No ComfyUI, A1111/Forge, InvokeAI or Stability Matrix folder in the usual places: add one.</source>
        <translation>Kein Ordner von ComfyUI, A1111/Forge, InvokeAI oder Stability Matrix an den üblichen Orten: Fügen Sie einen hinzu.</translation>
    </message>
    <message>
        <source>Looking at %1…</source>
        <translation>%1 wird durchsucht…</translation>
    </message>
    <message>
        <source>%1 at %2%3</source>
        <translation>%1 in %2%3</translation>
    </message>
    <message>
        <source> (with its model records)</source>
        <translation> (mit seinen Modelldatensätzen)</translation>
    </message>
    <message>
        <source>Nothing found yet.</source>
        <translation>Noch nichts gefunden.</translation>
    </message>
    <message>
        <source>Found: %1.</source>
        <translation>Gefunden: %1.</translation>
    </message>
    <message>
        <source>Computing the full hash of %1 of %2: %3</source>
        <translation>Vollständiger Hash wird berechnet, %1 von %2: %3</translation>
    </message>
    <message>
        <source>Registering %1 of %2: %3</source>
        <translation>Wird registriert, %1 von %2: %3</translation>
    </message>
    <message>
        <source> (stopped: import again to go on)</source>
        <translation> (angehalten: erneut importieren, um fortzufahren)</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>Fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Differs: %1</source>
        <translation>Abweichend: %1</translation>
    </message>
    <message>
        <source>Duplicate: %1</source>
        <translation>Duplikat: %1</translation>
    </message>
    <message>
        <source>Unread: %1</source>
        <translation>Nicht lesbar: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n model(s), %1</source>
        <translation>
            <numerusform>%n Modell, %1</numerusform>
            <numerusform>%n Modelle, %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n registered</source>
        <translation>
            <numerusform>%n registriert</numerusform>
            <numerusform>%n registriert</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n already in the library</source>
        <translation>
            <numerusform>%n bereits in der Bibliothek</numerusform>
            <numerusform>%n bereits in der Bibliothek</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n duplicate(s)</source>
        <translation>
            <numerusform>%n Duplikat</numerusform>
            <numerusform>%n Duplikate</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n failed</source>
        <translation>
            <numerusform>%n fehlgeschlagen</numerusform>
            <numerusform>%n fehlgeschlagen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n hashed in full</source>
        <translation>
            <numerusform>%n mit vollständigem Hash</numerusform>
            <numerusform>%n mit vollständigem Hash</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>atelier::ui::InstallJobModel</name>
    <message>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <source> · %1 left</source>
        <translation> · noch %1</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>Pausiert</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>Wartend</translation>
    </message>
    <message>
        <source>Downloading</source>
        <translation>Wird heruntergeladen</translation>
    </message>
    <message>
        <source>Installing</source>
        <translation>Wird installiert</translation>
    </message>
    <message>
        <source>Installed</source>
        <translation>Installiert</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Abgebrochen</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Quelle</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Fortschritt</translation>
    </message>
</context>
<context>
    <name>atelier::ui::InstallQueuePanel</name>
    <message>
        <source>Pause</source>
        <translation>Pausieren</translation>
    </message>
    <message>
        <source>Pause the download</source>
        <translation>Download pausieren</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Fortsetzen</translation>
    </message>
    <message>
        <source>Go on with the download</source>
        <translation>Download fortsetzen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Stop and throw away what was downloaded</source>
        <translation>Anhalten und bereits Heruntergeladenes verwerfen</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Wiederholen</translation>
    </message>
    <message>
        <source>Start this install again</source>
        <translation>Diese Installation erneut starten</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <source>What exactly went wrong</source>
        <translation>Was genau schiefgelaufen ist</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Anzeigen</translation>
    </message>
    <message>
        <source>Select the model in the library</source>
        <translation>Das Modell in der Bibliothek auswählen</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Remove this row</source>
        <translation>Diese Zeile entfernen</translation>
    </message>
    <message>
        <source>Path, link, Civitai page or Hugging Face id (owner/name, owner/name:fp16, owner/name::vae)</source>
        <translation>Pfad, Link, Civitai-Seite oder Hugging-Face-ID (besitzer/name, besitzer/name:fp16, besitzer/name::vae)</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Hinzufügen</translation>
    </message>
    <message>
        <source>Register local files in place</source>
        <translation>Lokale Dateien an Ort und Stelle registrieren</translation>
    </message>
    <message>
        <source>Checked: local files stay where they are and are only registered. Unchecked: they are copied into the models folder.</source>
        <translation>Aktiviert: Lokale Dateien bleiben, wo sie sind, und werden nur registriert. Deaktiviert: Sie werden in den Modellordner kopiert.</translation>
    </message>
    <message>
        <source>Clear finished</source>
        <translation>Abgeschlossene entfernen</translation>
    </message>
    <message>
        <source>Drop model files, folders or links here to install them.</source>
        <translation>Modelldateien, Ordner oder Links hier ablegen, um sie zu installieren.</translation>
    </message>
    <message>
        <source>Release to install</source>
        <translation>Zum Installieren loslassen</translation>
    </message>
    <message>
        <source>Install failed</source>
        <translation>Installation fehlgeschlagen</translation>
    </message>
    <message>
        <source>Source: %1
Error type: %2

%3</source>
        <translation>Quelle: %1
Fehlerart: %2

%3</translation>
    </message>
    <message>
        <source>Model to install</source>
        <translation>Zu installierendes Modell</translation>
    </message>
    <message>
        <source>Installs</source>
        <translation>Installationen</translation>
    </message>
</context>
<context>
    <name>atelier::ui::LibraryPanel</name>
    <message>
        <source>The library could not be read: %1</source>
        <translation>Die Bibliothek konnte nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>Search names, descriptions, tags, trigger words</source>
        <translation>Namen, Beschreibungen, Schlagwörter, Auslösewörter durchsuchen</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Date added</source>
        <translation>Hinzugefügt am</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <source>Sort by</source>
        <translation>Sortieren nach</translation>
    </message>
    <message>
        <source>Descending order</source>
        <translation>Absteigende Reihenfolge</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>Probleme</translation>
    </message>
    <message>
        <source>Only models with missing files or duplicates</source>
        <translation>Nur Modelle mit fehlenden Dateien oder Duplikaten</translation>
    </message>
    <message>
        <source>List</source>
        <translation>Liste</translation>
    </message>
    <message>
        <source>Show as a list</source>
        <translation>Als Liste anzeigen</translation>
    </message>
    <message>
        <source>Grid</source>
        <translation>Raster</translation>
    </message>
    <message>
        <source>Show covers in a grid</source>
        <translation>Titelbilder in einem Raster anzeigen</translation>
    </message>
    <message>
        <source>All bases</source>
        <translation>Alle Basen</translation>
    </message>
    <message>
        <source>All types</source>
        <translation>Alle Typen</translation>
    </message>
    <message>
        <source>All formats</source>
        <translation>Alle Formate</translation>
    </message>
    <message>
        <source>Add a tag filter…</source>
        <translation>Schlagwortfilter hinzufügen…</translation>
    </message>
    <message>
        <source>Loading the library…</source>
        <translation>Bibliothek wird geladen…</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <source>Problems (%1)</source>
        <translation>Probleme (%1)</translation>
    </message>
    <message>
        <source>Remove this filter</source>
        <translation>Diesen Filter entfernen</translation>
    </message>
    <message>
        <source>Copies of %1</source>
        <translation>Kopien von %1</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <source>Some models could not be deleted.</source>
        <translation>Einige Modelle konnten nicht gelöscht werden.</translation>
    </message>
    <message>
        <source>Where is “%1” now?</source>
        <translation>Wo befindet sich „%1“ jetzt?</translation>
    </message>
    <message>
        <source>Model files (*.safetensors *.ckpt *.pt *.pth *.bin *.gguf);;All files (*)</source>
        <translation>Modelldateien (*.safetensors *.ckpt *.pt *.pth *.bin *.gguf);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Locate model</source>
        <translation>Modell suchen</translation>
    </message>
    <message>
        <source>add tag</source>
        <translation>Schlagwort hinzufügen</translation>
    </message>
    <message>
        <source>remove tag</source>
        <translation>Schlagwort entfernen</translation>
    </message>
    <message>
        <source>Add tag</source>
        <translation>Schlagwort hinzufügen</translation>
    </message>
    <message>
        <source>Tag for the selected models:</source>
        <translation>Schlagwort für die ausgewählten Modelle:</translation>
    </message>
    <message>
        <source>Remove tag</source>
        <translation>Schlagwort entfernen</translation>
    </message>
    <message>
        <source>Tag to remove:</source>
        <translation>Zu entfernendes Schlagwort:</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <source>Show in folder</source>
        <translation>Im Ordner anzeigen</translation>
    </message>
    <message>
        <source>Copy hash</source>
        <translation>Hash kopieren</translation>
    </message>
    <message>
        <source>Locate missing files…</source>
        <translation>Fehlende Dateien suchen…</translation>
    </message>
    <message>
        <source>Show copies of this file</source>
        <translation>Kopien dieser Datei anzeigen</translation>
    </message>
    <message numerus="yes">
        <source>Add tag to %n models…</source>
        <translation>
            <numerusform>Schlagwort zu %n Modell hinzufügen…</numerusform>
            <numerusform>Schlagwort zu %n Modellen hinzufügen…</numerusform>
        </translation>
    </message>
    <message>
        <source>Add tag…</source>
        <translation>Schlagwort hinzufügen…</translation>
    </message>
    <message numerus="yes">
        <source>Remove tag from %n models…</source>
        <translation>
            <numerusform>Schlagwort von %n Modell entfernen…</numerusform>
            <numerusform>Schlagwort von %n Modellen entfernen…</numerusform>
        </translation>
    </message>
    <message>
        <source>Remove tag…</source>
        <translation>Schlagwort entfernen…</translation>
    </message>
    <message numerus="yes">
        <source>Delete %n models…</source>
        <translation>
            <numerusform>%n Modell löschen…</numerusform>
            <numerusform>%n Modelle löschen…</numerusform>
        </translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>Löschen…</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modelle</translation>
    </message>
    <message>
        <source>Search the model library</source>
        <translation>Modellbibliothek durchsuchen</translation>
    </message>
    <message numerus="yes">
        <source>%Ln model(s)</source>
        <translation>
            <numerusform>%Ln Modell</numerusform>
            <numerusform>%Ln Modelle</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>add tag “%1” to %n model(s)</source>
        <translation>
            <numerusform>Schlagwort „%1“ zu %n Modell hinzufügen</numerusform>
            <numerusform>Schlagwort „%1“ zu %n Modellen hinzufügen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>remove tag “%1” from %n model(s)</source>
        <translation>
            <numerusform>Schlagwort „%1“ von %n Modell entfernen</numerusform>
            <numerusform>Schlagwort „%1“ von %n Modellen entfernen</numerusform>
        </translation>
    </message>
    <message>
        <source>Remove the filter %1</source>
        <translation>Filter %1 entfernen</translation>
    </message>
</context>
<context>
    <name>atelier::ui::LibraryTableModel</name>
    <message>
        <source>Its files are missing: %1</source>
        <translation>Dateien fehlen: %1</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <source>Base</source>
        <translation>Basis</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>Format</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Added</source>
        <translation>Hinzugefügt</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>Schlagwörter</translation>
    </message>
    <message numerus="yes">
        <source>Duplicate: %n other model(s) in the library have the same file</source>
        <translation>
            <numerusform>Duplikat: %n anderes Modell der Bibliothek nutzt dieselbe Datei</numerusform>
            <numerusform>Duplikat: %n andere Modelle der Bibliothek nutzen dieselbe Datei</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>atelier::ui::LossPlot</name>
    <message>
        <source>Training loss</source>
        <translation>Trainings-Loss</translation>
    </message>
    <message>
        <source>The loss appears here as the steps run</source>
        <translation>Der Loss erscheint hier, während die Schritte laufen</translation>
    </message>
    <message>
        <source>step %1</source>
        <translation>Schritt %1</translation>
    </message>
    <message>
        <source>loss (line: running average)</source>
        <translation>Loss (Linie: gleitender Durchschnitt)</translation>
    </message>
</context>
<context>
    <name>atelier::ui::MainWindow</name>
    <message>
        <source>Atelier</source>
        <translation>Atelier</translation>
    </message>
    <message>
        <source>Node graph</source>
        <translation>Knotengraph</translation>
    </message>
    <message>
        <source>The node-graph editor will appear here: wire loaders, prompts, samplers and decoders into a pipeline, run it, and open any Atelier or ComfyUI image back as its graph.</source>
        <translation>Hier erscheint der Knotengraph-Editor: Verbinden Sie Lader, Prompts, Sampler und Decoder zu einer Pipeline, führen Sie sie aus und öffnen Sie jedes Atelier- oder ComfyUI-Bild wieder als Graph.</translation>
    </message>
    <message>
        <source>Model library</source>
        <translation>Modellbibliothek</translation>
    </message>
    <message>
        <source>Your installed models will be listed here: browse, search, filter by base and type, tag, inspect and delete.</source>
        <translation>Hier werden Ihre installierten Modelle aufgelistet: durchstöbern, durchsuchen, nach Basis und Typ filtern, mit Schlagwörtern versehen, prüfen und löschen.</translation>
    </message>
    <message>
        <source>Install queue</source>
        <translation>Installationswarteschlange</translation>
    </message>
    <message>
        <source>Drop model files, folders or links here to install them; downloads and installs show their progress here.</source>
        <translation>Legen Sie Modelldateien, Ordner oder Links hier ab, um sie zu installieren; Downloads und Installationen zeigen hier ihren Fortschritt.</translation>
    </message>
    <message>
        <source>Gallery</source>
        <translation>Galerie</translation>
    </message>
    <message>
        <source>Gallery and metadata</source>
        <translation>Galerie und Metadaten</translation>
    </message>
    <message>
        <source>Generated images will appear here, with the recipe stored in each image: prompts, seed, sampler, models.</source>
        <translation>Hier erscheinen erzeugte Bilder mit dem in jedem Bild gespeicherten Rezept: Prompts, Seed, Sampler, Modelle.</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>Speicher</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>Training</translation>
    </message>
    <message>
        <source>Teach an aMUSEd model a style from your own captioned images: a LoRA or a whole new model, added to the library.</source>
        <translation>Bringen Sie einem aMUSEd-Modell einen Stil aus Ihren eigenen beschrifteten Bildern bei: als LoRA oder als ganz neues Modell, das der Bibliothek hinzugefügt wird.</translation>
    </message>
    <message>
        <source>Training finished: the result is in the library</source>
        <translation>Training abgeschlossen: Das Ergebnis ist in der Bibliothek</translation>
    </message>
    <message>
        <source>Watched folders: %1 new, %2 missing, %3 found again</source>
        <translation>Überwachte Ordner: %1 neu, %2 fehlend, %3 wiedergefunden</translation>
    </message>
    <message>
        <source>The imported folders will not be watched: %1</source>
        <translation>Die importierten Ordner werden nicht überwacht: %1</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <source>&amp;Import models from other tools…</source>
        <translation>Modelle aus anderen Programmen &amp;importieren…</translation>
    </message>
    <message>
        <source>Register the models of ComfyUI, A1111/Forge, InvokeAI and Stability Matrix where they are</source>
        <translation>Die Modelle von ComfyUI, A1111/Forge, InvokeAI und Stability Matrix an ihrem Speicherort registrieren</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>Port &amp;colours</source>
        <translation>Port-&amp;Farben</translation>
    </message>
    <message>
        <source>any type (reroutes, primitives)</source>
        <translation>beliebiger Typ (Umleitungen, Primitive)</translation>
    </message>
    <message>
        <source>&amp;Reset layout</source>
        <translation>Anordnung &amp;zurücksetzen</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;About Atelier</source>
        <translation>&amp;Über Atelier</translation>
    </message>
    <message>
        <source>Device: starting the engine…</source>
        <translation>Gerät: Engine wird gestartet…</translation>
    </message>
    <message>
        <source>Engine unavailable</source>
        <translation>Engine nicht verfügbar</translation>
    </message>
    <message>
        <source>Device: %1</source>
        <translation>Gerät: %1</translation>
    </message>
    <message>
        <source>Node library</source>
        <translation>Knotenbibliothek</translation>
    </message>
    <message>
        <source>Run queue</source>
        <translation>Ausführungswarteschlange</translation>
    </message>
    <message>
        <source>Opened</source>
        <translation>Geöffnet</translation>
    </message>
    <message>
        <source>History</source>
        <translation>Verlauf</translation>
    </message>
    <message>
        <source>&amp;New workflow</source>
        <translation>&amp;Neuer Workflow</translation>
    </message>
    <message>
        <source>&amp;Open workflow or image…</source>
        <translation>Workflow oder Bild ö&amp;ffnen…</translation>
    </message>
    <message>
        <source>Open workflow</source>
        <translation>Workflow öffnen</translation>
    </message>
    <message>
        <source>Workflows and images (*.json *.png)</source>
        <translation>Workflows und Bilder (*.json *.png)</translation>
    </message>
    <message>
        <source>Open &amp;recent</source>
        <translation>&amp;Zuletzt geöffnet</translation>
    </message>
    <message>
        <source>Save workflow &amp;as…</source>
        <translation>Workflow speichern &amp;unter…</translation>
    </message>
    <message>
        <source>Save workflow</source>
        <translation>Workflow speichern</translation>
    </message>
    <message>
        <source>Workflows (*.json)</source>
        <translation>Workflows (*.json)</translation>
    </message>
    <message>
        <source>&amp;Export API graph…</source>
        <translation>API-Graph e&amp;xportieren…</translation>
    </message>
    <message>
        <source>Export API graph</source>
        <translation>API-Graph exportieren</translation>
    </message>
    <message>
        <source>API graphs (*.json)</source>
        <translation>API-Graphen (*.json)</translation>
    </message>
    <message>
        <source>(none yet)</source>
        <translation>(noch keine)</translation>
    </message>
    <message>
        <source>Clear the list</source>
        <translation>Liste leeren</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Bearbeiten</translation>
    </message>
    <message>
        <source>Undo	Ctrl+Z</source>
        <translation>Rückgängig	Strg+Z</translation>
    </message>
    <message>
        <source>Redo	Ctrl+Shift+Z</source>
        <translation>Wiederherstellen	Strg+Umschalt+Z</translation>
    </message>
    <message>
        <source>Undo %1	Ctrl+Z</source>
        <translation>%1 rückgängig machen	Strg+Z</translation>
    </message>
    <message>
        <source>Redo %1	Ctrl+Shift+Z</source>
        <translation>%1 wiederherstellen	Strg+Umschalt+Z</translation>
    </message>
    <message>
        <source>Cut	Ctrl+X</source>
        <translation>Ausschneiden	Strg+X</translation>
    </message>
    <message>
        <source>Copy	Ctrl+C</source>
        <translation>Kopieren	Strg+C</translation>
    </message>
    <message>
        <source>Paste	Ctrl+V</source>
        <translation>Einfügen	Strg+V</translation>
    </message>
    <message>
        <source>Paste with input links	Ctrl+Shift+V</source>
        <translation>Mit Eingangsverbindungen einfügen	Strg+Umschalt+V</translation>
    </message>
    <message>
        <source>Duplicate	Ctrl+D</source>
        <translation>Duplizieren	Strg+D</translation>
    </message>
    <message>
        <source>Select all	Ctrl+A</source>
        <translation>Alles auswählen	Strg+A</translation>
    </message>
    <message>
        <source>Frame selection	F</source>
        <translation>Auswahl einpassen	F</translation>
    </message>
    <message>
        <source>The gallery cannot open its index: %1</source>
        <translation>Die Galerie kann ihren Index nicht öffnen: %1</translation>
    </message>
    <message>
        <source>Open as graph</source>
        <translation>Als Graph öffnen</translation>
    </message>
    <message>
        <source>%1 cannot be opened: the node editor is not ready</source>
        <translation>%1 kann nicht geöffnet werden: Der Knoten-Editor ist nicht bereit</translation>
    </message>
    <message>
        <source>&amp;User guide</source>
        <translation>&amp;Benutzerhandbuch</translation>
    </message>
    <message>
        <source>Atelier user guide</source>
        <translation>Atelier-Benutzerhandbuch</translation>
    </message>
    <message>
        <source>Edit history</source>
        <translation>Bearbeitungsverlauf</translation>
    </message>
    <message>
        <source>Render farm: %1</source>
        <translation>Renderfarm: %1</translation>
    </message>
</context>
<context>
    <name>atelier::ui::MemoryPanel</name>
    <message>
        <source>now</source>
        <translation>jetzt</translation>
    </message>
    <message>
        <source>%1 s ago</source>
        <translation>vor %1 s</translation>
    </message>
    <message>
        <source>%1 min ago</source>
        <translation>vor %1 min</translation>
    </message>
    <message>
        <source>%1 h ago</source>
        <translation>vor %1 h</translation>
    </message>
    <message>
        <source>RAM</source>
        <translation>RAM</translation>
    </message>
    <message>
        <source>%1 + RAM</source>
        <translation>%1 + RAM</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Part</source>
        <translation>Teil</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>Ort</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Last used</source>
        <translation>Zuletzt verwendet</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Keep loaded</source>
        <translation>Geladen halten</translation>
    </message>
    <message>
        <source>Never evict the selected part, or move it off its GPU, to make room (&quot;Keep in VRAM&quot; for a part on a GPU)</source>
        <translation>Den ausgewählten Teil nie verdrängen oder von seiner GPU verschieben, um Platz zu schaffen („Im VRAM halten“ für einen Teil auf einer GPU)</translation>
    </message>
    <message>
        <source>Unload</source>
        <translation>Entladen</translation>
    </message>
    <message>
        <source>Drop the selected part from memory (not while a run uses it)</source>
        <translation>Den ausgewählten Teil aus dem Speicher entfernen (nicht, während eine Ausführung ihn nutzt)</translation>
    </message>
    <message>
        <source>Free all</source>
        <translation>Alle freigeben</translation>
    </message>
    <message>
        <source>Drop every part no run is using</source>
        <translation>Jeden Teil entfernen, den keine Ausführung nutzt</translation>
    </message>
    <message>
        <source>Keep in VRAM</source>
        <translation>Im VRAM halten</translation>
    </message>
    <message>
        <source>in use</source>
        <translation>in Verwendung</translation>
    </message>
    <message>
        <source>kept</source>
        <translation>gehalten</translation>
    </message>
    <message>
        <source>idle</source>
        <translation>inaktiv</translation>
    </message>
    <message>
        <source>%1 on %2, the rest in RAM</source>
        <translation>%1 auf %2, der Rest im RAM</translation>
    </message>
    <message>
        <source>Loaded partially: the device budget could not hold all of it beside the parts in use, so the layers that did not fit are copied in as they run</source>
        <translation>Teilweise geladen: Das Budget des Geräts reichte neben den genutzten Teilen nicht für alles, daher werden die übrigen Schichten während der Ausführung hineinkopiert</translation>
    </message>
    <message>
        <source>RAM: %1 of %2</source>
        <translation>RAM: %1 von %2</translation>
    </message>
    <message>
        <source>%1: %2 of %3</source>
        <translation>%1: %2 von %3</translation>
    </message>
    <message>
        <source>Loaded models</source>
        <translation>Geladene Modelle</translation>
    </message>
    <message>
        <source>automatic: the card&apos;s memory less %1</source>
        <translation>automatisch: der Speicher der Karte abzüglich %1</translation>
    </message>
    <message>
        <source>no limit</source>
        <translation>keine Grenze</translation>
    </message>
    <message numerus="yes">
        <source>%Ln load(s) from disk</source>
        <translation>
            <numerusform>%Ln Ladevorgang vom Datenträger</numerusform>
            <numerusform>%Ln Ladevorgänge vom Datenträger</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln hit(s)</source>
        <translation>
            <numerusform>%Ln Treffer</numerusform>
            <numerusform>%Ln Treffer</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln eviction(s)</source>
        <translation>
            <numerusform>%Ln Verdrängung</numerusform>
            <numerusform>%Ln Verdrängungen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln moved to RAM</source>
        <translation>
            <numerusform>%Ln in den RAM verschoben</numerusform>
            <numerusform>%Ln in den RAM verschoben</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln moved back</source>
        <translation>
            <numerusform>%Ln zurückverschoben</numerusform>
            <numerusform>%Ln zurückverschoben</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>atelier::ui::Minimap</name>
    <message>
        <source>Click or drag to move the view</source>
        <translation>Klicken oder ziehen, um die Ansicht zu verschieben</translation>
    </message>
</context>
<context>
    <name>atelier::ui::MissingModelsDialog</name>
    <message>
        <source>Missing models</source>
        <translation>Fehlende Modelle</translation>
    </message>
    <message>
        <source>The graph needs models the library does not have. Install those the workflow says where to get, or look for the others in the library.</source>
        <translation>Der Graph benötigt Modelle, die nicht in der Bibliothek sind. Installieren Sie diejenigen, für die der Workflow eine Bezugsquelle angibt, oder suchen Sie die anderen in der Bibliothek.</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Asked by</source>
        <translation>Angefordert von</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Quelle</translation>
    </message>
    <message>
        <source>node %1, %2</source>
        <translation>Knoten %1, %2</translation>
    </message>
    <message>
        <source>hash %1 (no download link given)</source>
        <translation>Hash %1 (kein Download-Link angegeben)</translation>
    </message>
    <message>
        <source>the workflow does not say</source>
        <translation>vom Workflow nicht angegeben</translation>
    </message>
    <message>
        <source>Install</source>
        <translation>Installieren</translation>
    </message>
    <message>
        <source>Look up on Civitai</source>
        <translation>Auf Civitai nachschlagen</translation>
    </message>
    <message>
        <source>Find in library</source>
        <translation>In der Bibliothek suchen</translation>
    </message>
    <message>
        <source>Sends the hash to Civitai, which says which model file it is; that file goes on the install queue and is checked against the hash when it arrives</source>
        <translation>Sendet den Hash an Civitai, das die zugehörige Modelldatei ermittelt; diese Datei kommt in die Installationswarteschlange und wird bei Ankunft mit dem Hash abgeglichen</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>In Warteschlange</translation>
    </message>
</context>
<context>
    <name>atelier::ui::ModelDetailsPanel</name>
    <message>
        <source>Built-in</source>
        <translation>Integriert</translation>
    </message>
    <message>
        <source>(not hashed)</source>
        <translation>(kein Hash)</translation>
    </message>
    <message>
        <source>%1 (its full SHA-256 is still to be computed)</source>
        <translation>%1 (der vollständige SHA-256 wird noch berechnet)</translation>
    </message>
    <message>
        <source>(not yet)</source>
        <translation>(noch nicht)</translation>
    </message>
    <message>
        <source> (changed %1)</source>
        <translation> (geändert: %1)</translation>
    </message>
    <message>
        <source>Copy “%1”</source>
        <translation>„%1“ kopieren</translation>
    </message>
    <message>
        <source>none</source>
        <translation>(nichts gewählt)</translation>
    </message>
    <message>
        <source>A model needs a name.</source>
        <translation>Ein Modell braucht einen Namen.</translation>
    </message>
    <message>
        <source>rename to “%1”</source>
        <translation>in „%1“ umbenennen</translation>
    </message>
    <message>
        <source>edit description</source>
        <translation>Beschreibung bearbeiten</translation>
    </message>
    <message>
        <source>edit tags</source>
        <translation>Schlagwörter bearbeiten</translation>
    </message>
    <message>
        <source>set variant</source>
        <translation>Variante festlegen</translation>
    </message>
    <message>
        <source>set prediction type</source>
        <translation>Vorhersagetyp festlegen</translation>
    </message>
    <message>
        <source>set VAE</source>
        <translation>VAE festlegen</translation>
    </message>
    <message>
        <source>Select a model to see its details.</source>
        <translation>Wählen Sie ein Modell, um seine Details zu sehen.</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Rückgängig</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>Wiederherstellen</translation>
    </message>
    <message>
        <source>Undo %1</source>
        <translation>Rückgängig: %1</translation>
    </message>
    <message>
        <source>The files of this model are missing.</source>
        <translation>Die Dateien dieses Modells fehlen.</translation>
    </message>
    <message>
        <source>Locate…</source>
        <translation>Suchen…</translation>
    </message>
    <message>
        <source>Remove from library</source>
        <translation>Aus der Bibliothek entfernen</translation>
    </message>
    <message>
        <source>Show copies</source>
        <translation>Kopien anzeigen</translation>
    </message>
    <message>
        <source>Description:</source>
        <translation>Beschreibung:</translation>
    </message>
    <message>
        <source>comma, separated, tags</source>
        <translation>Schlagwörter, durch Komma, getrennt</translation>
    </message>
    <message>
        <source>Tags:</source>
        <translation>Schlagwörter:</translation>
    </message>
    <message>
        <source>Trigger words:</source>
        <translation>Auslösewörter:</translation>
    </message>
    <message>
        <source>(not set)</source>
        <translation>(nicht festgelegt)</translation>
    </message>
    <message>
        <source>Variant:</source>
        <translation>Variante:</translation>
    </message>
    <message>
        <source>Prediction:</source>
        <translation>Vorhersage:</translation>
    </message>
    <message>
        <source>VAE:</source>
        <translation>VAE:</translation>
    </message>
    <message>
        <source>Show in folder</source>
        <translation>Im Ordner anzeigen</translation>
    </message>
    <message>
        <source>Path:</source>
        <translation>Pfad:</translation>
    </message>
    <message>
        <source>Also at:</source>
        <translation>Auch unter:</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <source>Hash:</source>
        <translation>Hash:</translation>
    </message>
    <message>
        <source>Short hash:</source>
        <translation>Kurz-Hash:</translation>
    </message>
    <message>
        <source>Source:</source>
        <translation>Quelle:</translation>
    </message>
    <message>
        <source>Size:</source>
        <translation>Größe:</translation>
    </message>
    <message>
        <source>Added:</source>
        <translation>Hinzugefügt:</translation>
    </message>
    <message>
        <source>Remote metadata</source>
        <translation>Online-Metadaten</translation>
    </message>
    <message>
        <source>Every field</source>
        <translation>Alle Felder</translation>
    </message>
    <message>
        <source>Take back the last change to this model</source>
        <translation>Die letzte Änderung an diesem Modell zurücknehmen</translation>
    </message>
    <message>
        <source>Make the change taken back again</source>
        <translation>Die zurückgenommene Änderung wieder ausführen</translation>
    </message>
    <message>
        <source>Open the folder that holds the model&apos;s files</source>
        <translation>Den Ordner mit den Dateien des Modells öffnen</translation>
    </message>
    <message>
        <source>Copy the whole hash</source>
        <translation>Den vollständigen Hash kopieren</translation>
    </message>
    <message>
        <source>Copy the short hash, as A1111 and Civitai show it</source>
        <translation>Den kurzen Hash kopieren, wie A1111 und Civitai ihn zeigen</translation>
    </message>
    <message>
        <source>Show what the model&apos;s hub page said about it</source>
        <translation>Zeigen, was die Hub-Seite des Modells über es sagt</translation>
    </message>
    <message>
        <source>Show every field the library keeps for this model</source>
        <translation>Jedes Feld zeigen, das die Bibliothek zu diesem Modell speichert</translation>
    </message>
    <message numerus="yes">
        <source>%n other model(s) in the library have the same file.</source>
        <translation>
            <numerusform>%n anderes Modell in der Bibliothek hat dieselbe Datei.</numerusform>
            <numerusform>%n andere Modelle in der Bibliothek haben dieselbe Datei.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>atelier::ui::ModelTileDelegate</name>
    <message>
        <source>missing</source>
        <translation>fehlt</translation>
    </message>
    <message>
        <source>duplicate</source>
        <translation>Duplikat</translation>
    </message>
</context>
<context>
    <name>atelier::ui::NodeItem</name>
    <message>
        <source>cached</source>
        <translation>zwischengespeichert</translation>
    </message>
    <message>
        <source>queued</source>
        <translation>in Warteschlange</translation>
    </message>
    <message>
        <source>Collapse</source>
        <translation>Einklappen</translation>
    </message>
    <message>
        <source>Expand</source>
        <translation>Ausklappen</translation>
    </message>
    <message>
        <source>Change %1</source>
        <translation>%1 ändern</translation>
    </message>
    <message>
        <source>Move</source>
        <translation>Verschieben</translation>
    </message>
    <message>
        <source>Rename node</source>
        <translation>Knoten umbenennen</translation>
    </message>
    <message>
        <source>Title:</source>
        <translation>Titel:</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>Umbenennen</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>(nothing to choose from)</source>
        <translation>(nichts zur Auswahl)</translation>
    </message>
    <message>
        <source>running, step %1 of %2</source>
        <translation>läuft, Schritt %1 von %2</translation>
    </message>
    <message>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <source>done</source>
        <translation>fertig</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>failed: %1</source>
        <translation>fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>none</source>
        <translation>(nichts gewählt)</translation>
    </message>
</context>
<context>
    <name>atelier::ui::NodeLibraryPanel</name>
    <message>
        <source>Search nodes…</source>
        <translation>Knoten suchen…</translation>
    </message>
    <message>
        <source>Search the node types</source>
        <translation>Knotentypen durchsuchen</translation>
    </message>
    <message>
        <source>Node types</source>
        <translation>Knotentypen</translation>
    </message>
</context>
<context>
    <name>atelier::ui::OptionPicker</name>
    <message>
        <source>Search…</source>
        <translation>Suchen…</translation>
    </message>
    <message>
        <source>All bases</source>
        <translation>Alle Basen</translation>
    </message>
    <message>
        <source>(nothing to choose from)</source>
        <translation>(nichts zur Auswahl)</translation>
    </message>
    <message>
        <source>(no match)</source>
        <translation>(kein Treffer)</translation>
    </message>
</context>
<context>
    <name>atelier::ui::PromptEditor</name>
    <message>
        <source>&lt;span style=&apos;color:%1&apos;&gt;(emphasis)&lt;/span&gt; · &lt;span style=&apos;color:%2&apos;&gt;[less]&lt;/span&gt; · (word:&lt;b style=&apos;color:%3&apos;&gt;1.2&lt;/b&gt;) · &lt;span style=&apos;color:%4&apos;&gt;embedding:name&lt;/span&gt; · &lt;span style=&apos;color:%5&apos;&gt;&lt;b&gt;BREAK&lt;/b&gt;&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;color:%1&apos;&gt;(Betonung)&lt;/span&gt; · &lt;span style=&apos;color:%2&apos;&gt;[weniger]&lt;/span&gt; · (Wort:&lt;b style=&apos;color:%3&apos;&gt;1.2&lt;/b&gt;) · &lt;span style=&apos;color:%4&apos;&gt;embedding:Name&lt;/span&gt; · &lt;span style=&apos;color:%5&apos;&gt;&lt;b&gt;BREAK&lt;/b&gt;&lt;/span&gt;</translation>
    </message>
</context>
<context>
    <name>atelier::ui::RunQueuePanel</name>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Move up</source>
        <translation>Nach oben</translation>
    </message>
    <message>
        <source>Clear waiting</source>
        <translation>Wartende entfernen</translation>
    </message>
    <message>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <source>running %1</source>
        <translation>läuft %1</translation>
    </message>
    <message>
        <source>step %1 of %2</source>
        <translation>Schritt %1 von %2</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>wartet</translation>
    </message>
    <message>
        <source>#%1  %2 — %3</source>
        <translation>#%1  %2 — %3</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>Ausführungen</translation>
    </message>
    <message>
        <source>Where the Queue button sends the next runs</source>
        <translation>Wohin die Schaltfläche „Einreihen“ die nächsten Ausführungen schickt</translation>
    </message>
    <message>
        <source>Run on:</source>
        <translation>Ausführen auf:</translation>
    </message>
    <message>
        <source>Drops a waiting run, or cancels a running one</source>
        <translation>Entfernt eine wartende Ausführung oder bricht eine laufende ab</translation>
    </message>
    <message>
        <source>Drops every waiting run; the running ones go on</source>
        <translation>Entfernt alle wartenden Ausführungen; laufende gehen weiter</translation>
    </message>
    <message>
        <source>waiting (%1)</source>
        <translation>wartet (%1)</translation>
    </message>
    <message>
        <source>on %1</source>
        <translation>auf %1</translation>
    </message>
    <message>
        <source>(farm)</source>
        <translation>(Farm)</translation>
    </message>
</context>
<context>
    <name>atelier::ui::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>Automatic (half the memory less 2 GiB)</source>
        <translation>Automatisch (halber Speicher abzüglich 2 GiB)</translation>
    </message>
    <message>
        <source>Automatic (the card&apos;s memory less 3 GiB)</source>
        <translation>Automatisch (Grafikkartenspeicher abzüglich 3 GiB)</translation>
    </message>
    <message>
        <source>Node outputs kept between graph runs, so that only what changed runs again</source>
        <translation>Knotenausgaben, die zwischen Graph-Ausführungen erhalten bleiben, damit nur Geändertes erneut läuft</translation>
    </message>
    <message>
        <source>Register dropped local models where they are (instead of copying them into the models folder)</source>
        <translation>Abgelegte lokale Modelle an ihrem Ort registrieren (statt sie in den Modellordner zu kopieren)</translation>
    </message>
    <message>
        <source>Save each image&apos;s recipe in it (prompt, settings, model names and hashes; never file paths)</source>
        <translation>Rezept jedes Bildes darin speichern (Prompt, Einstellungen, Modellnamen und Hashes; niemals Dateipfade)</translation>
    </message>
    <message>
        <source>$HF_ENDPOINT, else https://huggingface.co</source>
        <translation>$HF_ENDPOINT, sonst https://huggingface.co</translation>
    </message>
    <message>
        <source>Models folder:</source>
        <translation>Modellordner:</translation>
    </message>
    <message>
        <source>Compute device:</source>
        <translation>Rechengerät:</translation>
    </message>
    <message>
        <source>Precision:</source>
        <translation>Genauigkeit:</translation>
    </message>
    <message>
        <source>Model cache in memory:</source>
        <translation>Modell-Cache im Speicher:</translation>
    </message>
    <message>
        <source>Model cache on the GPU:</source>
        <translation>Modell-Cache auf der GPU:</translation>
    </message>
    <message>
        <source>Download cache:</source>
        <translation>Download-Cache:</translation>
    </message>
    <message>
        <source>Parallel downloads:</source>
        <translation>Parallele Downloads:</translation>
    </message>
    <message>
        <source>Graph outputs kept:</source>
        <translation>Behaltene Graph-Ausgaben:</translation>
    </message>
    <message>
        <source>Graph output memory:</source>
        <translation>Speicher für Graph-Ausgaben:</translation>
    </message>
    <message>
        <source>Hugging Face address:</source>
        <translation>Hugging-Face-Adresse:</translation>
    </message>
    <message>
        <source>Civitai address:</source>
        <translation>Civitai-Adresse:</translation>
    </message>
    <message>
        <source>Hugging Face token:</source>
        <translation>Hugging-Face-Token:</translation>
    </message>
    <message>
        <source>Civitai token:</source>
        <translation>Civitai-Token:</translation>
    </message>
    <message>
        <source>%1 (not available)</source>
        <translation>%1 (nicht verfügbar)</translation>
    </message>
    <message>
        <source>Models folder</source>
        <translation>Modellordner</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>Sprache:</translation>
    </message>
    <message>
        <source>Theme:</source>
        <translation>Design:</translation>
    </message>
    <message>
        <source>none: runs stay on this computer</source>
        <translation>keine: Ausführungen bleiben auf diesem Computer</translation>
    </message>
    <message>
        <source>redis://[user:password@]host[:port][/db] of the render farm&apos;s Redis server; the Run queue panel can then send runs there</source>
        <translation>redis://[Benutzer:Passwort@]Host[:Port][/DB] des Redis-Servers der Renderfarm; die Ausführungswarteschlange kann dann Ausführungen dorthin schicken</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>How long a farm worker may stay silent before another takes its job over</source>
        <translation>Wie lange ein Farm-Worker schweigen darf, bevor ein anderer seinen Auftrag übernimmt</translation>
    </message>
    <message>
        <source>How often a farm job is started before it is set aside as failed</source>
        <translation>Wie oft ein Farm-Auftrag gestartet wird, bevor er als fehlgeschlagen beiseitegelegt wird</translation>
    </message>
    <message>
        <source>Tokens and the farm&apos;s URL are stored in %1, readable only by you.</source>
        <translation>Tokens und die URL der Farm werden in %1 gespeichert, nur für Sie lesbar.</translation>
    </message>
    <message>
        <source>Render farm:</source>
        <translation>Renderfarm:</translation>
    </message>
    <message>
        <source>attempts:</source>
        <translation>Versuche:</translation>
    </message>
    <message>
        <source>Farm job takeover after:</source>
        <translation>Übernahme von Farm-Aufträgen nach:</translation>
    </message>
    <message>
        <source> GiB</source>
        <translation> GiB</translation>
    </message>
</context>
<context>
    <name>atelier::ui::TrainingPanel</name>
    <message>
        <source>Choose a folder of captioned images and a model, then Start.</source>
        <translation>Wählen Sie einen Ordner mit beschrifteten Bildern und ein Modell, dann „Starten“.</translation>
    </message>
    <message>
        <source>Validation images</source>
        <translation>Validierungsbilder</translation>
    </message>
    <message>
        <source>Validation images (newest first)</source>
        <translation>Validierungsbilder (neueste zuerst)</translation>
    </message>
    <message>
        <source>Encoding the training images and captions …</source>
        <translation>Trainingsbilder und Beschriftungen werden kodiert …</translation>
    </message>
    <message>
        <source>Step %1 of %2 · loss %3 (average %4) · %5 steps/s · %6 left</source>
        <translation>Schritt %1 von %2 · Loss %3 (Mittel %4) · %5 Schritte/s · noch %6</translation>
    </message>
    <message>
        <source>Training failed: %1</source>
        <translation>Training fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>A folder of PNG images with captions</source>
        <translation>Ein Ordner mit beschrifteten PNG-Bildern</translation>
    </message>
    <message>
        <source>Choose …</source>
        <translation>Auswählen …</translation>
    </message>
    <message>
        <source>Choose the images folder</source>
        <translation>Bilderordner auswählen</translation>
    </message>
    <message>
        <source>&amp;Images:</source>
        <translation>&amp;Bilder:</translation>
    </message>
    <message>
        <source>&amp;Model:</source>
        <translation>&amp;Modell:</translation>
    </message>
    <message>
        <source>The result&apos;s name in the library</source>
        <translation>Name des Ergebnisses in der Bibliothek</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>LoRA (small file, on top of the model)</source>
        <translation>LoRA (kleine Datei, zusätzlich zum Modell)</translation>
    </message>
    <message>
        <source>Whole model (a new model)</source>
        <translation>Ganzes Modell (ein neues Modell)</translation>
    </message>
    <message>
        <source>&amp;Train:</source>
        <translation>&amp;Trainieren:</translation>
    </message>
    <message>
        <source>LoRA &amp;rank:</source>
        <translation>LoRA-&amp;Rang:</translation>
    </message>
    <message>
        <source>&amp;Steps:</source>
        <translation>&amp;Schritte:</translation>
    </message>
    <message>
        <source>&amp;Learning rate:</source>
        <translation>&amp;Lernrate:</translation>
    </message>
    <message>
        <source>&amp;Batch:</source>
        <translation>B&amp;atch:</translation>
    </message>
    <message>
        <source>Batches whose gradients add up to one step: a larger effective batch in the same memory</source>
        <translation>Batches, deren Gradienten einen Schritt ergeben: ein größerer effektiver Batch im selben Speicher</translation>
    </message>
    <message>
        <source>&amp;Accumulate:</source>
        <translation>A&amp;kkumulieren:</translation>
    </message>
    <message>
        <source>See&amp;d:</source>
        <translation>See&amp;d:</translation>
    </message>
    <message>
        <source>&amp;Checkpoint every:</source>
        <translation>&amp;Checkpoint alle:</translation>
    </message>
    <message>
        <source>One prompt per line, drawn as training goes</source>
        <translation>Ein Prompt pro Zeile; wird während des Trainings erzeugt</translation>
    </message>
    <message>
        <source>&amp;Validation:</source>
        <translation>&amp;Validierung:</translation>
    </message>
    <message>
        <source>at the end</source>
        <translation>am Ende</translation>
    </message>
    <message>
        <source>Validate &amp;every:</source>
        <translation>Validieren all&amp;e:</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Starten</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Pausieren</translation>
    </message>
    <message>
        <source>Stop after this step with a checkpoint; Resume goes on from it</source>
        <translation>Nach diesem Schritt mit einem Checkpoint anhalten; „Fortsetzen“ macht dort weiter</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Stoppen</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Fortsetzen</translation>
    </message>
    <message>
        <source>No aMUSEd model in the library: install one (amused/amused-256)</source>
        <translation>Kein aMUSEd-Modell in der Bibliothek: Installieren Sie eines (amused/amused-256)</translation>
    </message>
    <message>
        <source>Training images</source>
        <translation>Trainingsbilder</translation>
    </message>
    <message>
        <source>This folder does not exist.</source>
        <translation>Dieser Ordner existiert nicht.</translation>
    </message>
    <message>
        <source>a .txt beside each image</source>
        <translation>einer .txt-Datei neben jedem Bild</translation>
    </message>
    <message numerus="yes">
        <source>%n PNG image(s); captions from %1</source>
        <translation>
            <numerusform>%n PNG-Bild; Beschriftungen aus %1</numerusform>
            <numerusform>%n PNG-Bilder; Beschriftungen aus %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Choose the folder of training images.</source>
        <translation>Wählen Sie den Ordner mit den Trainingsbildern.</translation>
    </message>
    <message>
        <source>Choose the aMUSEd model to start from.</source>
        <translation>Wählen Sie das aMUSEd-Modell als Ausgangspunkt.</translation>
    </message>
    <message>
        <source>Give the result a name.</source>
        <translation>Geben Sie dem Ergebnis einen Namen.</translation>
    </message>
    <message>
        <source>Resuming from the last checkpoint …</source>
        <translation>Fortsetzen ab dem letzten Checkpoint …</translation>
    </message>
    <message>
        <source>Starting …</source>
        <translation>Wird gestartet …</translation>
    </message>
    <message>
        <source>Pausing after this step …</source>
        <translation>Pause nach diesem Schritt …</translation>
    </message>
    <message>
        <source>Stopping after this step …</source>
        <translation>Wird nach diesem Schritt angehalten …</translation>
    </message>
    <message>
        <source>step %1</source>
        <translation>Schritt %1</translation>
    </message>
    <message>
        <source>Step %1: %2</source>
        <translation>Schritt %1: %2</translation>
    </message>
    <message numerus="yes">
        <source>%n image(s) skipped: %1</source>
        <translation>
            <numerusform>%n Bild übersprungen: %1</numerusform>
            <numerusform>%n Bilder übersprungen: %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Trained on %n image(s) in %1 steps: &quot;%2&quot; is in the library.</source>
        <translation>
            <numerusform>Mit %n Bild in %1 Schritten trainiert: „%2“ ist in der Bibliothek.</numerusform>
            <numerusform>Mit %n Bildern in %1 Schritten trainiert: „%2“ ist in der Bibliothek.</numerusform>
        </translation>
    </message>
    <message>
        <source>Paused at step %1; Resume goes on from its checkpoint.</source>
        <translation>Bei Schritt %1 pausiert; „Fortsetzen“ macht an dessen Checkpoint weiter.</translation>
    </message>
    <message>
        <source>Stopped at step %1; Resume goes on from its checkpoint in %2.</source>
        <translation>Bei Schritt %1 gestoppt; „Fortsetzen“ macht an dessen Checkpoint in %2 weiter.</translation>
    </message>
</context>
</TS>
