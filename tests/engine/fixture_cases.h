#pragma once

// What the fixture-case programs share: the index's cases of a kind, a case's reference tensors and tolerances, and
// comparisons that say by how much a tensor missed.
#include "core/engine/pipeline/amused.h"
#include "tests/engine/engine_fixtures.h"

#include <QTest>

namespace atelier::test {

inline QJsonArray casesOfKind(const QString &kind)
{
    QJsonArray cases;
    for (const QJsonValue &value : fixtureIndex().value(QStringLiteral("cases")).toArray())
        if (value.toObject().value(QStringLiteral("kind")).toString() == kind)
            cases.append(value);
    return cases;
}

// The case's tensors (its "file").
inline engine::StateDict expected(const QJsonObject &fixture)
{
    return engine::loadWeights(fixturePath(fixture.value(QStringLiteral("file")).toString()).toStdString());
}

// A bound the case states, or -1 (which no difference meets) when it states none.
inline double tolerance(const QJsonObject &fixture, const char *key)
{
    return fixture.value(QStringLiteral("tolerance")).toObject().value(QLatin1String(key)).toDouble(-1);
}

inline QString amusedFolder(const QString &model)
{
    return fixturePath(QStringLiteral("models/%1").arg(model));
}

// A fixture aMUSEd model in float32 on the CPU, loaded once per program.
inline engine::AmusedModel &loadedAmused(const QString &model)
{
    static std::map<QString, engine::AmusedModel> models;
    auto found = models.find(model);
    if (found == models.end())
        found = models
                    .emplace(model,
                             engine::loadAmusedModel(amusedFolder(model).toStdString(), torch::kCPU, torch::kFloat32))
                    .first;
    return found->second;
}

} // namespace atelier::test

#define SKIP_IF_EMPTY(fixture)                                                                                         \
    if ((fixture).isEmpty())                                                                                           \
    QSKIP("no case of this kind in the fixture index")

#define COMPARE_CLOSE(actual, expectedTensor, bound, what)                                                             \
    do {                                                                                                               \
        QCOMPARE((actual).sizes().vec(), (expectedTensor).sizes().vec());                                              \
        const double difference = atelier::test::maxAbsDifference((actual), (expectedTensor));                         \
        if (!(difference <= (bound)))                                                                                  \
            QFAIL(qPrintable(                                                                                          \
                QStringLiteral("%1: max |difference| %2 exceeds %3").arg(what).arg(difference).arg(bound)));           \
    } while (false)
