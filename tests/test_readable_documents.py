"""What a channel may read of the base: its visible documents and the branches their figures name.

The index applies visibility in one place; the assistant asks it rather than reading the tables.
Real SQLite and Chroma on a temp dir, the real embedder.
"""

from assistant import Assistant, AssistantConfig
from index import KnowledgeBase

REPORT = (
    "青川区图书馆2024年工作总结\n\n一、主要工作\n\n全年进馆人数208万人次。其中高新分馆进馆人数12万人次，"
    "城东分馆进馆人数9万人次。高新分馆外借图书3万册次，城东分馆外借图书2万册次。\n"
)


def test_internal_documents_and_their_branches_are_hidden_from_a_public_channel(tmp_path, embedder):
    kb = KnowledgeBase(tmp_path / "data", embedder)
    try:
        path = tmp_path / "report.txt"
        path.write_text(REPORT, encoding="utf-8")
        kb.ingest([path], visibility="internal")
        public = kb.metrics.for_visibility("public")

        assert [d.file_name for d in kb.visible_documents()] == ["report.txt"]
        assert kb.visible_documents("public") == []
        assert kb.metrics.scopes() == ["城东分馆", "高新分馆"]
        assert public.scopes() == []
        assert kb.metrics.scopes(min_count=3) == []  # each branch is named twice
        assert Assistant(kb, AssistantConfig(visibility="public")).holdings.scopes() == []
        assert Assistant(kb).holdings.scopes() == ["城东分馆", "高新分馆"]

        kb.set_visibility(kb.documents()[0].id, "public")
        assert [d.file_name for d in kb.visible_documents("public")] == ["report.txt"]
        assert public.scopes() == ["城东分馆", "高新分馆"]
        assert Assistant(kb, AssistantConfig(visibility="public")).holdings.orgs() == ["青川区图书馆"]
    finally:
        kb.close()
