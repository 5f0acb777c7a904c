// libFuzzer target for model records that come from outside: `models import` files (and the records inside them)
// and the hubs' answers (Civitai and Hugging Face model JSON); the first byte picks which. A record that is
// accepted serialises and is accepted again unchanged.
#include "tests/fuzz/fuzz_support.h"

#include "core/json/bounded_json.h"
#include "core/models/install/model_source.h"
#include "core/models/install/remote_metadata.h"
#include "core/models/model_config.h"

#include <QUrl>

using namespace atelier;

namespace {

void readRecords(const QByteArray &bytes)
{
    const Result<nlohmann::ordered_json> document = parseBoundedOrderedJson(bytes);
    if (!document)
        return;
    const nlohmann::ordered_json &top = document.value();
    const nlohmann::ordered_json &models = top.is_object() && top.contains("models") ? top["models"] : top;
    const auto readOne = [](const nlohmann::ordered_json &item) {
        const Result<models::ModelConfig> config = models::fromJson(item);
        if (!config)
            return;
        const nlohmann::ordered_json written = models::toJson(config.value());
        const Result<models::ModelConfig> again = models::fromJson(written);
        fuzz::require(bool(again));
        fuzz::require(models::toJson(again.value()) == written);
    };
    if (models.is_array()) {
        for (const nlohmann::ordered_json &item : models)
            readOne(item);
    } else {
        readOne(models);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    const QByteArray bytes = fuzz::bytesOf(data + 1, size - 1);
    switch (data[0] % 3) {
    case 0:
        readRecords(bytes);
        break;
    case 1:
        models::readCivitaiModel(bytes, data[0] / 3 % 2 ? 0 : 128713);
        break;
    default: {
        static const Result<models::ModelSource> source = models::parseModelSource(QStringLiteral("owner/repo"));
        fuzz::require(bool(source));
        models::readHuggingFaceModel(bytes, source.value(), models::RepoVariant::Default,
                                     QUrl(QStringLiteral("https://huggingface.co")));
        break;
    }
    }
    return 0;
}
