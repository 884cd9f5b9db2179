"""JSON Schema for the input files, generated from the pydantic models.

The files under schemas/ are what an editor (the ``# yaml-language-server: $schema=…``
line at the top of each YAML file) uses to complete keys and flag unknown ones.
"""

from __future__ import annotations

import json
from pathlib import Path

from generator.model.body import PlanCatalog
from generator.model.catalog import Catalog, RolesFile
from generator.model.edition import EditionFile
from generator.model.legal import BodiesFile
from generator.model.unit import Kind, Unit
from generator.write.files import write_atomic

MODELS = {
    "catalog": Catalog,
    "roles": RolesFile,
    "kind": Kind,
    "unit": Unit,
    "plan": PlanCatalog,
    "edition": EditionFile,
    "legal": BodiesFile,
}

# What an editor shows over each block (the models' docstrings are for developers).
DESCRIPTIONS = {
    "Catalog": "Danh mục nhiệm vụ của một phụ lục trong một năm: tiêu đề, các cột, các mục",
    "Column": "Một cột của bảng: khóa, nhãn, độ rộng (phần trăm)",
    "Section": "Một mục (dòng tiêu đề A, B / I, II, …); mã mục do plangen tự đánh theo vị trí",
    "SectionVariant": "Tiêu đề riêng của mục cho một loại đơn vị",
    "Task": "Một nhiệm vụ: mã, nội dung, vai trò chủ trì và phối hợp, thời gian, sản phẩm",
    "TaskFields": "Cách viết riêng của nhiệm vụ cho một loại đơn vị",
    "RolesFile": "Các vai trò dùng trong catalog, mỗi vai trò một mô tả",
    "Kind": "Mặc định chung của một loại đơn vị: cơ quan của từng vai trò, nhãn cột, ký hiệu",
    "ParentPlan": "Kế hoạch cấp trên mà kế hoạch của đơn vị triển khai (tính hạn 15 ngày)",
    "Unit": "Hồ sơ một đơn vị: tên, kế hoạch, và những gì khác với mặc định của loại đơn vị",
    "Plan": "Kế hoạch của đơn vị: số, ký hiệu, ngày ban hành",
    "TaskOverride": "Nội dung riêng của đơn vị cho một nhiệm vụ (cơ quan ghi tên cụ thể)",
    "Document": "Đầu và cuối văn bản Kế hoạch: cơ quan chủ quản, tên cơ quan, địa danh, người ký",
    "Signer": "Khối chữ ký: TM., KT., chức vụ, họ tên",
    "PlanCatalog": "Thân Kế hoạch một năm: trích yếu, đoạn mở đầu, các phần I, II, III, đoạn kết",
    "TitleVariant": "Trích yếu riêng cho một loại đơn vị",
    "Block": "Một mục đánh số: phần (I.), khoản (1.) hoặc điểm (a)) theo độ sâu; số tự đánh",
    "BlockVariant": "Tiêu đề, nội dung riêng của mục cho một loại đơn vị",
    "Para": "Một đoạn không đánh số: nội dung, dẫn chiếu phụ lục (refer) hoặc phân công (duties)",
    "ParaVariant": "Nội dung riêng của đoạn cho một loại đơn vị",
    "Duties": "Phân công tính từ các phụ lục: cơ quan nào chủ trì, phối hợp nhiệm vụ nào",
    "EditionFile": "Kế hoạch của một tỉnh trong một năm: tỉnh, cơ quan ban hành, số và ngày",
    "EditionPlan": "Kế hoạch của tỉnh: số, ký hiệu, ngày ban hành",
    "BodiesFile": "Các cơ quan đã bị bãi bỏ, hợp nhất, đổi tên trong sắp xếp bộ máy năm 2025",
    "AbolishedBody": "Một cơ quan không còn: các cách viết tên, ngày, văn bản, cơ quan kế thừa",
}


def schemas() -> dict[str, str]:
    """File name -> JSON text, stable (sorted keys, trailing newline)."""
    out = {}
    for name, model in MODELS.items():
        schema = model.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        for block in [schema, *schema.get("$defs", {}).values()]:
            if block.get("title") in DESCRIPTIONS:
                block["description"] = DESCRIPTIONS[block["title"]]
        out[f"{name}.schema.json"] = (
            json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        )
    return out


def write_schemas(folder: Path) -> list[Path]:
    return [
        write_atomic(folder / name, text.encode("utf-8"), force=True)
        for name, text in schemas().items()
    ]
