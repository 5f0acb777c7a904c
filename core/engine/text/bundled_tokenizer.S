/* CLIP's vocabulary and merges, linked into the engine so that no file has to be found at run time. */
    .section .rodata
    .global atelier_clip_vocab_begin
    .global atelier_clip_vocab_end
    .global atelier_clip_merges_begin
    .global atelier_clip_merges_end
    .balign 16
atelier_clip_vocab_begin:
    .incbin ATELIER_CLIP_VOCAB
atelier_clip_vocab_end:
    .balign 16
atelier_clip_merges_begin:
    .incbin ATELIER_CLIP_MERGES
atelier_clip_merges_end:
    .section .note.GNU-stack,"",@progbits
