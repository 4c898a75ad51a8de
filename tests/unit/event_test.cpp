// The event model's helpers: tag lookups, NIP-40 expiration, NIP-70 protection, kind classes.
#include "nostr/event.h"

#include <gtest/gtest.h>

namespace {

nostr::Event with_tags(std::vector<nostr::Tag> tags) {
    nostr::Event event;
    event.tags = std::move(tags);
    return event;
}

TEST(EventTest, FirstTagValueSkipsTagsWithoutAValue) {
    nostr::Event event = with_tags({{"d"}, {"e", "first"}, {"d", "one", "extra"}, {"d", "two"}});
    ASSERT_NE(event.first_tag_value("d"), nullptr);
    EXPECT_EQ(*event.first_tag_value("d"), "one");
    EXPECT_EQ(*event.first_tag_value("e"), "first");
    EXPECT_EQ(event.first_tag_value("p"), nullptr);
    EXPECT_EQ(event.first_tag_value("D"), nullptr);
}

TEST(EventTest, DTag) {
    EXPECT_EQ(with_tags({}).d_tag(), "");
    EXPECT_EQ(with_tags({{"d"}}).d_tag(), "");
    EXPECT_EQ(with_tags({{"d", ""}}).d_tag(), "");
    EXPECT_EQ(with_tags({{"e", "x"}, {"d", "slug"}, {"d", "other"}}).d_tag(), "slug");
}

TEST(EventTest, Expiration) {
    EXPECT_EQ(with_tags({}).expiration(), std::nullopt);
    EXPECT_EQ(with_tags({{"expiration", "1700000000"}}).expiration(), 1700000000);
    EXPECT_EQ(with_tags({{"expiration"}, {"expiration", "5"}}).expiration(), 5);
    for (const char* bad : {"", "abc", "12x", " 12", "1.5", "99999999999999999999"})
        EXPECT_EQ(with_tags({{"expiration", bad}}).expiration(), std::nullopt) << bad;
}

TEST(EventTest, ProtectedMeansADashTag) {
    EXPECT_TRUE(with_tags({{"t", "x"}, {"-"}}).is_protected());
    EXPECT_FALSE(with_tags({{"t", "-"}}).is_protected());
    EXPECT_FALSE(with_tags({}).is_protected());
}

TEST(EventTest, KindClasses) {
    using nostr::KindClass;
    for (uint32_t kind : {0u, 3u, 10000u, 10002u, 19999u})
        EXPECT_EQ(nostr::classify_kind(kind), KindClass::replaceable) << kind;
    for (uint32_t kind : {20000u, 22242u, 29999u})
        EXPECT_EQ(nostr::classify_kind(kind), KindClass::ephemeral) << kind;
    for (uint32_t kind : {30000u, 30023u, 39999u})
        EXPECT_EQ(nostr::classify_kind(kind), KindClass::addressable) << kind;
    for (uint32_t kind : {1u, 2u, 4u, 5u, 7u, 1059u, 9999u, 40000u, 65535u})
        EXPECT_EQ(nostr::classify_kind(kind), KindClass::regular) << kind;
}

TEST(EventTest, IndexableTagsAreSingleLetterWithAValue) {
    EXPECT_TRUE(nostr::is_indexable_tag({"e", "x"}));
    EXPECT_TRUE(nostr::is_indexable_tag({"Z", ""}));
    EXPECT_FALSE(nostr::is_indexable_tag({"e"}));
    EXPECT_FALSE(nostr::is_indexable_tag({"ee", "x"}));
    EXPECT_FALSE(nostr::is_indexable_tag({"1", "x"}));
    EXPECT_FALSE(nostr::is_indexable_tag({"-", "x"}));
    EXPECT_FALSE(nostr::is_indexable_tag({}));
}

}  // namespace
