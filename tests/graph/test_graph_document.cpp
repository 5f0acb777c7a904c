// Editing a graph as the node editor does: nodes added with their defaults, values and links checked against the
// definitions, removals that take their links along, a signal for every edit, and the result written as an editor
// workflow that reads back as the same graph, positions included.
#include "core/graph/editor_workflow.h"
#include "core/graph/graph_document.h"
#include "core/graph/validation.h"
#include "tests/graph/library_free_nodes.h"

#include <QSignalSpy>
#include <QTest>

using namespace atelier;

class TestGraphDocument : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_root;
    std::shared_ptr<graph::NodeRegistry> m_registry;

private slots:
    void initTestCase() { m_registry = libraryFreeNodes(m_root); }

    void editsAreCheckedAndSignalled()
    {
        graph::GraphDocument document(m_registry);
        QSignalSpy added(&document, &graph::GraphDocument::nodeAdded);
        QSignalSpy inputs(&document, &graph::GraphDocument::inputChanged);
        QSignalSpy removed(&document, &graph::GraphDocument::nodeRemoved);
        QSignalSpy changed(&document, &graph::GraphDocument::changed);

        QCOMPARE(document.addNode(QStringLiteral("NoSuchNode"), {}), QString());
        const QString latent = document.addNode(QStringLiteral("EmptyLatentImage"), QPointF(10, 20));
        const QString sampler = document.addNode(QStringLiteral("KSampler"), QPointF(400, 20));
        const QString decode = document.addNode(QStringLiteral("VAEDecode"), QPointF(800, 20));
        QCOMPARE((QStringList{latent, sampler, decode}), (QStringList{"1", "2", "3"}));
        QCOMPARE(added.size(), 3);
        // Defaults as the definitions give them; the first of a fixed list for combos.
        QCOMPARE(document.graph().node(latent)->input("width")->value->toInteger().value_or(0), qint64(512));
        QCOMPARE(document.graph().node(sampler)->input("sampler_name")->value->toText().value_or(QString()),
                 QStringLiteral("euler"));

        QVERIFY(document.setValue(sampler, QStringLiteral("steps"), graph::GraphValue::integer(30)));
        QVERIFY(!document.setValue(sampler, QStringLiteral("steps"), graph::GraphValue::integer(20000))); // above max
        QVERIFY(!document.setValue(sampler, QStringLiteral("sampler_name"), graph::GraphValue::text("x")));
        QVERIFY(!document.setValue(sampler, QStringLiteral("model"), graph::GraphValue::integer(1))); // a link input

        QVERIFY(document.connectInput({latent, 0}, sampler, QStringLiteral("latent_image")));
        QVERIFY(!document.connectInput({latent, 0}, sampler, QStringLiteral("model")));        // LATENT into MODEL
        QVERIFY(!document.connectInput({latent, 3}, sampler, QStringLiteral("latent_image"))); // no such output
        QVERIFY(document.connectInput({sampler, 0}, decode, QStringLiteral("samples")));
        QCOMPARE(inputs.size(), 3);

        QVERIFY(document.setMode(sampler, graph::NodeMode::Bypassed));
        QVERIFY(document.setTitle(sampler, QStringLiteral("Sampler")));
        QVERIFY(document.moveNode(sampler, QPointF(420, 40)));

        // Removing the sampler takes the link into the decoder with it.
        QVERIFY(document.removeNode(sampler));
        QCOMPARE(removed.size(), 1);
        QVERIFY(!document.graph().node(decode)->input("samples"));
        QVERIFY(changed.size() >= 9);
    }

    void theWorkflowReadsBackWithPositions()
    {
        graph::GraphDocument document(m_registry);
        const QString load = document.addNode(QStringLiteral("CheckpointLoaderSimple"), QPointF(10, 10));
        const QString encode = document.addNode(QStringLiteral("CLIPTextEncode"), QPointF(300, 10));
        QVERIFY(document.setValue(encode, QStringLiteral("text"), graph::GraphValue::text("a castle")));
        QVERIFY(document.connectInput({load, 1}, encode, QStringLiteral("clip")));
        QVERIFY(document.moveNode(encode, QPointF(333, 44)));
        const Result<graph::Graph> back = graph::graphFromEditorWorkflow(document.editorWorkflow(), *m_registry);
        QVERIFY2(back, qPrintable(back.error()));
        QCOMPARE(*back->node(encode)->input("clip")->link, (graph::OutputRef{load, 1}));
        QCOMPARE(back->node(encode)->input("text")->value->toText().value_or(QString()), QStringLiteral("a castle"));
        QCOMPARE(back->node(encode)->position.value_or(QPointF()), QPointF(333, 44));
        QCOMPARE(back->node(load)->position.value_or(QPointF()), QPointF(10, 10));
    }
};

QTEST_GUILESS_MAIN(TestGraphDocument)
#include "test_graph_document.moc"
