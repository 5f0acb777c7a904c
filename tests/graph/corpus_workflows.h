#pragma once

// The editor workflows the fixture corpus holds: the `workflow` chunks of its ComfyUI images and its workflow files,
// read once for every test that walks them.
#include "core/graph/editor_workflow.h"
#include "core/metadata/png_text.h"
#include "tests/fixtures.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QList>

struct ComfyChunks
{
    QByteArray prompt, workflow;
};

inline ComfyChunks comfyChunksOf(const QString &path)
{
    ComfyChunks chunks;
    const atelier::Result<atelier::metadata::PngText> text = atelier::metadata::readPngTextFile(path);
    if (text)
        for (const atelier::metadata::TextChunk &chunk : text->chunks) {
            if (chunk.keyword == QStringLiteral("prompt"))
                chunks.prompt = chunk.text.toUtf8();
            if (chunk.keyword == QStringLiteral("workflow"))
                chunks.workflow = chunk.text.toUtf8();
        }
    return chunks;
}

struct CorpusWorkflow
{
    QString name; // relative to the fixture folder
    QByteArray json;
};

inline QList<CorpusWorkflow> corpusEditorWorkflows()
{
    QList<CorpusWorkflow> found;
    const QDir fixtures(fixturesDir());
    QDirIterator files(fixtures.filePath(QStringLiteral("corpus")), {QStringLiteral("*.png"), QStringLiteral("*.json")},
                       QDir::Files, QDirIterator::Subdirectories);
    while (files.hasNext()) {
        const QString path = files.next();
        QByteArray json;
        if (path.endsWith(QStringLiteral(".png")))
            json = comfyChunksOf(path).workflow;
        else if (QFile file(path); file.open(QIODevice::ReadOnly))
            json = file.readAll();
        if (!json.isEmpty() && atelier::graph::isEditorWorkflow(json))
            found.append({fixtures.relativeFilePath(path), json});
    }
    return found;
}

// A version 1 canvas with a native reroute on a link.
inline const QByteArray kVersion1WithReroute = QByteArrayLiteral(
    R"({"id": "a", "revision": 0,
    "state": {"lastGroupId": 0, "lastNodeId": 2, "lastLinkId": 1, "lastRerouteId": 1},
    "nodes": [{"id": 1, "type": "LoadImage", "mode": 0, "widgets_values": ["a.png", "image"],
               "outputs": [{"name": "IMAGE", "type": "IMAGE", "links": [1]}]},
              {"id": 2, "type": "PreviewImage", "mode": 0, "inputs": [{"name": "images", "type": "IMAGE", "link": 1}]}],
    "links": [{"id": 1, "origin_id": 1, "origin_slot": 0, "target_id": 2, "target_slot": 0, "type": "IMAGE", "parentId": 1}],
    "reroutes": [{"id": 1, "pos": [10, 20], "linkIds": [1]}],
    "groups": [], "config": {}, "extra": {"ds": {"scale": 1, "offset": [0, 0]}}, "version": 1})");
